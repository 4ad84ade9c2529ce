"""Matching form of text: full-width to half-width, lower case, traditional to simplified; offsets back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from knowledge.text import normalise, normalise_with_offsets, span_in_original, to_simplified


def test_full_width_case_and_traditional_characters_are_folded() -> None:
    assert normalise("ＡＰＲ：３．６５％") == "apr:3.65%"
    assert normalise("貸款利率是多少？") == "贷款利率是多少?"
    assert normalise("LPR　加点") == "lpr 加点"  # the ideographic space too
    assert normalise("年化利率3.65%，额度50万元。") == "年化利率3.65%,额度50万元。"


def test_simplified_text_is_left_alone() -> None:
    text = "安心政担贷的利率是多少？发展与开发，头发干燥"
    assert to_simplified(text) == text
    assert to_simplified("營業執照、擔保費率") == "营业执照、担保费率"


def test_offsets_map_every_character_back() -> None:
    text = "額度８０萬元"
    result, offsets = normalise_with_offsets(text)
    assert result == "额度80万元"
    assert offsets == [0, 1, 2, 3, 4, 5]


def test_offsets_survive_expanding_characters() -> None:
    text = "资料……年化３．６５％"
    result, offsets = normalise_with_offsets(text)
    assert result == "资料......年化3.65%"
    start = result.index("3.65%")
    assert span_in_original(offsets, start, start + 5, len(text)) == (6, 11)
    assert text[6:11] == "３．６５％"
    # a match ending inside an expansion covers the whole original character
    assert span_in_original(offsets, 2, 3, len(text)) == (2, 3)
    assert span_in_original(offsets, len(result), len(result), len(text)) == (len(text), len(text))


def test_lone_surrogates_do_not_break_conversion() -> None:
    assert to_simplified("貸\udc80款") == "贷\udc80款"


@given(st.text(alphabet=st.sampled_from("貸款ＡＢab１2．.…①，。ǅİ\u0301 "), max_size=30))
def test_offsets_agree_with_normalise(text: str) -> None:
    result, offsets = normalise_with_offsets(text)
    assert result == normalise(text)
    assert len(offsets) == len(result)
    assert offsets == sorted(offsets)
    assert all(0 <= o < len(text) for o in offsets)
    for i, offset in enumerate(offsets):  # each output character comes from the original character it names
        assert normalise(text[offset]).find(result[i]) >= 0 or result[i] == to_simplified(result[i])
