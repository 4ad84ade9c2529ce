"""Masking of phones, ID numbers and bank cards however they are typed: full-width, spaced, dashed."""

from __future__ import annotations

import pytest

from assistant.privacy import contains_pii, find_phones, mask_pii
from assistant.store.leads import normalise_phone


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话１３７１２３４５６７８谢谢", "电话137****5678谢谢"),
        ("1 3 7 1 2 3 4 5 6 7 8", "137****5678"),
        ("手机 137-1234-5678，300万", "手机 137****5678，300万"),
        ("１３７ １２３４ ５６７８", "137****5678"),
        ("13 71 23 45 678", "137****5678"),
        ("经理-18612345678", "经理-186****5678"),
        ("身份证１１０１０１１９９００３０７４５１Ｘ", "身份证110***********451X"),
        ("身份证 1101 0119 9003 0745 1X", "身份证 110***********451X"),
        ("卡号６２２２　０２１２　３４５６　７８９０", "卡号**** **** **** 7890"),
        ("卡号 6 2 2 2 0 2 1 2 3 4 5 6 7 8 9 0 1 2 3", "卡号 **** **** **** 0123"),
    ],
)
def test_numbers_are_masked_however_they_are_written(text: str, masked: str) -> None:
    assert mask_pii(text) == masked
    assert contains_pii(text)


@pytest.mark.parametrize("text", ["利率 3.65% 期限 36 个月", "2024 2025 年", "1 2 3 4 5 6 7 8 9 10 11", "第１２３期"])
def test_ordinary_numbers_are_left_alone(text: str) -> None:
    assert mask_pii(text) == text
    assert not contains_pii(text)


def test_phones_are_found_in_full_width_and_spaced_forms() -> None:
    assert find_phones("１３７１２３４５６７８ 或 1 3 9 1 2 3 4 5 6 7 8") == ["13712345678", "13912345678"]
    assert normalise_phone("１３７－１２３４－５６７８") == "13712345678"
