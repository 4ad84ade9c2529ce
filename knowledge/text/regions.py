"""Chinese places in text, and whether a document's region covers a place (lexicon: lexicons/regions.tsv)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

NATIONWIDE = frozenset({"", "全国", "全国范围", "不限"})
_SUFFIX_RE = re.compile(
    r"(?:维吾尔|壮族|回族|朝鲜族|藏族|蒙古族|土家族|苗族|彝族|哈尼族|傣族|白族|布依族|侗族)?"
    r"(?:自治区|自治州|特别行政区|省|市|地区|盟)$"
)


@dataclass(frozen=True)
class Region:
    name: str  # full name: 苏州市
    province: str  # 江苏省 (a province is its own province)

    @property
    def is_province(self) -> bool:
        return self.name == self.province


def short_name(name: str) -> str:
    """苏州市 -> 苏州, 广西壮族自治区 -> 广西; names that would shrink below two characters stay whole."""
    short = _SUFFIX_RE.sub("", name)
    return short if len(short) >= 2 else name


@cache
def _regions() -> dict[str, Region]:
    """Every full and short name -> its region (a short name two regions share is left out)."""
    text = resources.files("knowledge.text").joinpath("lexicons/regions.tsv").read_text(encoding="utf-8")
    by_name: dict[str, Region] = {}
    ambiguous: set[str] = set()
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, province = line.split("\t")
        region = Region(name, province)
        by_name[name] = region
        short = short_name(name)
        if short in by_name and by_name[short] != region and short != by_name[short].name:
            ambiguous.add(short)
        by_name.setdefault(short, region)
    return {n: r for n, r in by_name.items() if n not in ambiguous}


@cache
def _pattern() -> re.Pattern[str]:
    return re.compile("|".join(sorted(map(re.escape, _regions()), key=len, reverse=True)))


def places_in(text: str) -> tuple[Region, ...]:
    """The places the text names, in order, each once."""
    regions = _regions()
    return tuple(dict.fromkeys(regions[m.group(0)] for m in _pattern().finditer(text)))


def region_of(label: str) -> Region | None:
    """A document's region label (苏州市, 江苏省) as a Region; None for nationwide or unknown labels."""
    return None if label.strip() in NATIONWIDE else _regions().get(label.strip())


def covers(label: str, place: Region) -> bool:
    """Whether a document for region `label` can speak for `place`: nationwide, the place itself, or the
    place's province (a city's document does not speak for its province)."""
    if label.strip() in NATIONWIDE:
        return True
    region = region_of(label)
    return region is not None and region.name in (place.name, place.province)


def related(label: str, place: Region) -> bool:
    """Whether a document for region `label` is about `place` or somewhere inside it (a city of the province
    asked about): not another place's."""
    region = region_of(label)
    return covers(label, place) or (region is not None and place.is_province and region.province == place.name)
