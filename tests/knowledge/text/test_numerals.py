"""Chinese, Arabic and mixed numerals, and amounts in 元."""

from __future__ import annotations

import pytest

from knowledge.text import cn_numeral, heading_number, parse_amount, parse_int, parse_number, written_numbers


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5", 5), ("2.5", 2.5), ("800,000", 800_000), ("五", 5), ("十", 10), ("十五", 15), ("二十", 20),
        ("三点五", 3.5), ("零点五", 0.5), ("一百五十", 150), ("两千", 2000), ("两千三百", 2300),
        ("五十万", 500_000), ("三百万", 3_000_000), ("一千二百万", 12_000_000), ("一亿五千万", 150_000_000),
        ("50万", 500_000), ("1.5亿", 150_000_000), ("3百万", 3_000_000), ("1,200万", 12_000_000),
        ("１２", 12), ("两三百万", 3_000_000), ("七八千", 8000),
    ],
)  # fmt: skip
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "十十", "点", "万万", "百分", "3.5.5"])
def test_not_a_number(text: str) -> None:
    assert parse_number(text) is None


def test_parse_int() -> None:
    assert [parse_int(t) for t in ("三百", "一千二百", "十二", "五", "三点五", "abc")] == [300, 1200, 12, 5, None, None]


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("五十万", 500_000), ("五十万元", 500_000), ("1.5亿", 150_000_000), ("1.5亿元", 150_000_000),
        ("两千三百元", 2300), ("500000元", 500_000), ("800,000元", 800_000), ("50w", 500_000), ("5K", 5000),
        ("人民币5千元", 5000), ("300 万 元", 3_000_000), ("12000万元", 120_000_000), ("3块", 3),
    ],
)  # fmt: skip
def test_parse_amount(text: str, yuan: int) -> None:
    assert parse_amount(text) == yuan


@pytest.mark.parametrize("text", ["", "元", "零元", "利率", "十十万"])
def test_not_an_amount(text: str) -> None:
    assert parse_amount(text) is None


def test_written_numbers() -> None:
    assert written_numbers("额度800,000元，年化3.65%，2027年") == ["800,000", "3.65", "2027"]


def test_heading_numbers() -> None:
    assert heading_number("三、适用对象") == (3, 2)
    assert heading_number("  十二． 附则") == (12, 6)
    assert heading_number("适用对象") is None
    assert heading_number("三是重点") is None


def test_cn_numeral() -> None:
    assert [cn_numeral(n) for n in (1, 10, 12, 105)] == ["一", "十", "十二", "一百零五"]


def test_regular_forms_read_as_cn2an_reads_them() -> None:
    import cn2an

    numbers = [*range(0, 1200), 10_000, 10_005, 10_050, 20_300, 105_000, 1_000_000, 12_345_678, 100_000_000]
    numbers += [150_000_000, 100_050_000, 987_654_321, 3_000_000_000, 200_000_001]
    for n in numbers:
        written = cn2an.an2cn(n)
        assert parse_number(written) == cn2an.cn2an(written, "smart") == n, written
    irregular = ("两千三", "三万五", "二〇二六", "一万亿", "十二点三四", "五十万零三", "3百万", "0.5万", "一亿零五万")
    for text in (*irregular, "百万", "千", "一百十", "十百", "五点", "点五"):
        try:
            expected: float | None = cn2an.cn2an(text, "smart")
        except ValueError:
            expected = None
        assert parse_number(text) == (None if expected is None else pytest.approx(expected)), text


def test_regular_numerals_do_not_load_cn2an() -> None:
    """Importing cn2an costs about a second: the regular forms must not need it (what `finassist check` meets)."""
    code = (
        "import sys; from knowledge.text import parse_amount, parse_number;"
        "assert parse_number('一亿五千万') == 150_000_000 and parse_amount('50万元') == 500_000;"
        "assert parse_number('三点五') == 3.5 and parse_number('1,200万') == 12_000_000;"
        "assert 'cn2an' not in sys.modules, 'cn2an was imported'"
    )
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
