"""APR calculator: PBoC announcement [2021] No. 3 worked example and edge cases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.compliance import annualize, apr_irr, apr_simple, period_rate

PAYMENTS = [8833.33] * 12


def test_pboc_worked_example() -> None:
    simple = apr_simple(100_000, PAYMENTS, upfront_fees=1_000)
    compound = apr_irr(100_000, PAYMENTS, upfront_fees=1_000)
    assert round(simple * 100, 2) == 12.80
    assert round(compound * 100, 2) == 13.58


def test_fee_raises_the_rate() -> None:
    assert apr_simple(100_000, PAYMENTS) < apr_simple(100_000, PAYMENTS, upfront_fees=1_000)


def test_bullet_loan_without_fee() -> None:
    # 10,000 borrowed, 10,600 repaid after one year: 6 % either way.
    assert apr_irr(10_000, [10_600], periods_per_year=1) == pytest.approx(0.06)
    assert apr_simple(10_000, [10_600], periods_per_year=1) == pytest.approx(0.06)


def test_compound_exceeds_simple_for_monthly_loans() -> None:
    assert apr_irr(50_000, [4_500] * 12) > apr_simple(50_000, [4_500] * 12)


def test_interest_free_loan_has_zero_rate() -> None:
    assert period_rate(12_000, [1_000] * 12) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    ("principal", "payments", "fees"),
    [(0, [1.0], 0), (-5, [1.0], 0), (100, [], 0), (100, [-1.0, 200.0], 0), (100, [110.0], 100), (100, [0.0], 0)],
)
def test_invalid_inputs(principal: float, payments: list[float], fees: float) -> None:
    with pytest.raises(ValueError):
        period_rate(principal, payments, upfront_fees=fees)


def test_annualize() -> None:
    assert annualize(0.0005, "day") == pytest.approx(0.1825)
    assert annualize(0.008, "month") == pytest.approx(0.096)
    with pytest.raises(ValueError):
        annualize(0.01, "fortnight")


@given(
    rate=st.floats(min_value=0.0005, max_value=0.05),
    n=st.integers(min_value=1, max_value=60),
    principal=st.floats(min_value=1_000, max_value=5_000_000),
)
def test_irr_recovers_the_rate_of_an_annuity(rate: float, n: int, principal: float) -> None:
    payment = principal * rate / (1 - (1 + rate) ** -n)
    assert period_rate(principal, [payment] * n) == pytest.approx(rate, rel=1e-6)
