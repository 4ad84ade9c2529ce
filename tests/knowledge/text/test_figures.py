"""Figures with spans in the original text and normalised values."""

from __future__ import annotations

from knowledge.text import Figure, arabic_amounts, find_figures, lexicon, mentions_season, seasons_named


def found(text: str) -> list[tuple[str, str, str]]:
    return [(f.kind, f.text, f.normalised) for f in find_figures(text)]


def test_kinds_values_and_spans() -> None:
    text = "2027年3月15日14:00开始，年化利率3.5%，额度10万元，期限12个月，第3期限额60人"
    assert found(text) == [
        ("date", "2027年3月15日", "2027-03-15"),
        ("time", "14:00", "14:00"),
        ("rate", "3.5%", "3.5%"),
        ("amount", "10万元", "100000元"),
        ("duration", "12个月", "12个月"),
        ("ordinal", "第3期", "3期"),
        ("count", "60人", "60人"),
    ]
    assert all(text[f.start : f.end] == f.text for f in find_figures(text))


def test_amounts_and_ranges() -> None:
    [amount] = find_figures("额度80—100万元")
    assert (amount.unit, amount.values, amount.normalised) == ("元", (800_000.0, 1_000_000.0), "800000-1000000元")
    assert found("1.2亿元与800,000元") == [("amount", "1.2亿元", "120000000元"), ("amount", "800,000元", "800000元")]
    assert found("分别为100，200万元") == [("amount", "200万元", "2000000元")]  # a Chinese comma is no digit group


def test_amounts_in_chinese_numerals() -> None:
    assert found("营收两亿五，借一百万，手续费两千三百元，五十万块") == [
        ("amount", "两亿五", "250000000元"),
        ("amount", "一百万", "1000000元"),
        ("amount", "两千三百元", "2300元"),
        ("amount", "五十万块", "500000元"),
    ]
    assert found("千万不要转账，万一贷不下来，几十万也行") == []  # idioms and vague numbers are no amounts


def test_arabic_amounts_writes_amounts_as_documents_do() -> None:
    assert (
        arabic_amounts("有笔一百万的应收账款，营收两亿五，五十万块能贷吗")
        == "有笔100万的应收账款，营收2.5亿，50万元能贷吗"
    )
    assert (
        arabic_amounts("借1.5万元，三个月还清，第一次贷款") == "借1.5万元，三个月还清，第一次贷款"
    )  # the rest unchanged


def test_rates_in_every_form() -> None:
    assert found("日息万分之五，下降1个百分点，上浮50个基点，年化3.45%-6%") == [
        ("rate", "万分之五", "0.05%"),
        ("rate", "1个百分点", "1pp"),
        ("rate", "50个基点", "50bp"),
        ("rate", "3.45%-6%", "3.45-6%"),
    ]


def test_durations() -> None:
    assert found("期限一年，5—10个工作日内审批，宽限期半年，30天") == [
        ("duration", "一年", "12个月"),
        ("duration", "5—10个工作日", "5-10个工作日"),
        ("duration", "半年", "6个月"),
        ("duration", "30天", "30天"),
    ]


def test_dates_and_times() -> None:
    assert found("3月15日 9:00-11:30，2027-03-25截止，2027年度") == [
        ("date", "3月15日", "03-15"),
        ("time", "9:00-11:30", "09:00-11:30"),
        ("date", "2027-03-25", "2027-03-25"),
        ("date", "2027年", "2027年"),
    ]


def test_full_width_figures_keep_their_original_span() -> None:
    text = "……年化利率３．６５％，额度８０萬元"
    figures = find_figures(text)
    assert [(f.text, f.normalised) for f in figures] == [("３．６５％", "3.65%"), ("８０萬元", "800000元")]
    assert all(text[f.start : f.end] == f.text for f in figures)


def test_excluded_spans_and_overlaps() -> None:
    text = "成立满3年，期限3年"
    assert [f.text for f in find_figures(text, exclude=[(0, 5)])] == ["3年"]
    assert find_figures(text, exclude=[(0, 5)])[0].start == 8
    # the year of a date is never a duration of its own
    assert [f.kind for f in find_figures("2027年3月")] == ["date"]


def test_a_figure_is_a_value_object() -> None:
    figure = Figure("amount", 0, 3, "50万", "元", (500_000.0,))
    assert figure.normalised == "500000元"


def test_years_named_skips_durations_and_the_askers_own_story() -> None:
    from knowledge.text import years_named

    assert years_named("2028年的项目路演场次出来没有") == [2028]
    assert years_named("27年3月的对接会，24年度的利息") == [2027, 2024]
    assert years_named("2026-12-01申报，2026年12月截止") == [2026]
    assert years_named("贷款期限3年，24年付的利息") == []  # a duration, and a two-digit year that may be one
    assert years_named("公司2019年成立的能贷吗", ["成立"]) == []


def test_seasons_are_named_by_any_of_their_words() -> None:
    words = lexicon("seasons")
    assert seasons_named("明年秋天那场对接会，和春季的一样吗", words) == ["秋", "春"]
    assert mentions_season("春", "2027年春季投融资对接会", words)
    assert not mentions_season("秋", "2027年春季投融资对接会", words)
    assert seasons_named("春节前能放款吗", words) == []  # a festival, not a season
