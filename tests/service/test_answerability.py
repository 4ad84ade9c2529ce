"""The answerability model: its signals, its fit, the shipped calibration, and the threshold choice."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.service.answerability import MODELS_FILE, SIGNALS, AnswerabilityModel, Signals, fit, load_models
from evals.calibrate import Sample, calibrate, rates
from knowledge.text import dictionary_word, specificity


def test_specific_words_weigh_more_than_generic_ones() -> None:
    assert specificity("违约金") > specificity("公司") > 0
    assert dictionary_word("公司") and not dictionary_word("天给")


def test_coverage_is_weighted_by_how_specific_the_missing_word_is() -> None:
    text = "某某贷款的违约金按剩余本金的1%收取"
    assert Signals.measure(0.9, ["违约金", "贷款"], text, None).coverage == 1.0
    generic_missing = Signals.measure(0.9, ["违约金", "公司"], text, None)
    specific_missing = Signals.measure(0.9, ["公司", "停车"], "公司地址在某路", None)
    assert 0.5 < generic_missing.coverage < 1.0  # 公司 is a common word: its absence costs little
    assert specific_missing.coverage < 0.5  # 停车 is the specific one, and it is missing
    assert Signals.measure(0.9, [], text, None).coverage == 1.0  # no key term: nothing can be missing
    assert Signals.measure(0.9, [], text, 0.85).kind_gap == pytest.approx(0.05)  # the value asked for is further off
    assert Signals.measure(0.9, [], text, 0.95).kind_gap == 0.0 and Signals.measure(0.9, [], text, None).kind_gap == 0.0


def test_the_probability_grows_with_similarity_and_coverage() -> None:
    weights = {"similarity": 30.0, "coverage": 2.0, "kind_gap": -100.0}
    model = AnswerabilityModel(weights, -27.0, 0.6)
    low, high = Signals(0.86, 1.0, 0.0), Signals(0.93, 1.0, 0.0)
    assert model.probability(low) < model.probability(high)
    assert model.probability(Signals(0.93, 0.0, 0.0)) < model.probability(high)
    assert model.probability(Signals(0.93, 1.0, 0.05)) < model.probability(high)  # the asked value is further off
    assert model.answers(high) and not model.answers(Signals(0.86, 0.0, 0.0))


def test_fit_separates_what_the_signals_separate() -> None:
    rng = np.random.default_rng(1)
    yes = [
        Signals(float(s), float(c), 0.0)
        for s, c in zip(rng.normal(0.92, 0.01, 60), rng.uniform(0.6, 1, 60), strict=True)
    ]
    no = [
        Signals(float(s), float(c), 0.02)
        for s, c in zip(rng.normal(0.87, 0.01, 60), rng.uniform(0, 0.5, 60), strict=True)
    ]
    weights, bias = fit(yes + no, [True] * 60 + [False] * 60)
    model = AnswerabilityModel(weights, bias, 0.5)
    assert weights["similarity"] > 0 and weights["coverage"] > 0
    assert sum(model.answers(s) for s in yes) >= 57 and sum(not model.answers(s) for s in no) >= 57


def test_the_shipped_model_is_complete_and_was_fitted_on_dev_data_only() -> None:
    models = load_models(MODELS_FILE)
    assert "finassist-e5" in models
    import yaml

    entry = yaml.safe_load(MODELS_FILE.read_text(encoding="utf-8"))["models"]["finassist-e5"]
    assert set(entry["weights"]) == set(SIGNALS) and 0 < entry["threshold"] < 1
    assert not any("test" in name or "heldout" in name for name in entry["datasets"])


def test_rule_refusals_count_as_refused_and_the_threshold_balances_both_kinds() -> None:
    samples = [Sample(f"k{i}", True, Signals(0.90 + i / 1000, 1.0, 0.0)) for i in range(30)]
    samples += [Sample(f"u{i}", False, Signals(0.86 + i / 1000, 0.2, 0.03)) for i in range(20)]
    samples += [Sample("rule", False, None)]
    entry = calibrate(samples)
    kept, refused = entry["cross_validated"].values()  # type: ignore[union-attr]
    assert kept >= 0.9 and refused >= 0.9
    assert rates(samples, np.array([1.0] * 50 + [0.0]), 0.5) == (1.0, 1 / 21)
