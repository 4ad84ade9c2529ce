"""Annualized loan rates from cash flows, as PBoC announcement [2021] No. 3 defines them.

The borrower receives the principal less any up-front fees and repays a schedule of equal-length periods.
The period rate r is the internal rate of return of those cash flows; with n periods a year the
annualized rate is n * r (simple interest, 单利) or (1 + r) ** n - 1 (compound, 复利).

Worked example: 100,000 lent, 1,000 fee up front, 12 monthly repayments of 8,833.33
-> 12.80 % simple, 13.58 % compound.
"""

from __future__ import annotations

from collections.abc import Sequence

PERIODS_PER_YEAR = {"day": 365, "week": 52, "month": 12, "quarter": 4, "year": 1}
_TOLERANCE = 1e-12


def _validate(principal: float, payments: Sequence[float], upfront_fees: float) -> float:
    if principal <= 0:
        raise ValueError("principal must be positive")
    if not 0 <= upfront_fees < principal:
        raise ValueError("upfront fees must be non-negative and below the principal")
    if not payments or any(p < 0 for p in payments):
        raise ValueError("payments must be a non-empty list of non-negative amounts")
    if sum(payments) <= 0:
        raise ValueError("payments must repay something")
    return principal - upfront_fees


def _npv(rate: float, received: float, payments: Sequence[float]) -> float:
    value, discount = -received, 1.0
    for amount in payments:
        discount /= 1 + rate
        value += amount * discount
    return value


def period_rate(principal: float, payments: Sequence[float], *, upfront_fees: float = 0.0) -> float:
    """IRR per period: the rate r at which the discounted repayments equal the amount actually received.

    payments[i] is paid at the end of period i + 1. Solved by bisection (the NPV falls as r rises).
    """
    received = _validate(principal, payments, upfront_fees)
    low, high = -0.999999, 1.0
    while _npv(high, received, payments) > 0:
        high *= 2
        if high > 1e6:
            raise ValueError("rate too large to compute")
    if _npv(low, received, payments) < 0:
        raise ValueError("repayments too small for a rate above -100 %")
    for _ in range(200):
        mid = (low + high) / 2
        if _npv(mid, received, payments) > 0:
            low = mid
        else:
            high = mid
        if high - low < _TOLERANCE:
            break
    return (low + high) / 2


def apr_simple(
    principal: float, payments: Sequence[float], *, upfront_fees: float = 0.0, periods_per_year: int = 12
) -> float:
    """Annualized rate, simple-interest method (单利): period IRR times periods per year."""
    return period_rate(principal, payments, upfront_fees=upfront_fees) * periods_per_year


def apr_irr(
    principal: float, payments: Sequence[float], *, upfront_fees: float = 0.0, periods_per_year: int = 12
) -> float:
    """Annualized rate, compound method (复利, the actual annual rate): (1 + period IRR) ** n - 1."""
    rate = period_rate(principal, payments, upfront_fees=upfront_fees)
    return (1 + rate) ** periods_per_year - 1


def annualize(rate: float, period: str) -> float:
    """Simple annualization of a quoted per-period rate: 日息万分之五 -> 0.0005 * 365 = 18.25 %."""
    try:
        return rate * PERIODS_PER_YEAR[period]
    except KeyError:
        raise ValueError(f"unknown period {period!r}; expected one of {sorted(PERIODS_PER_YEAR)}") from None
