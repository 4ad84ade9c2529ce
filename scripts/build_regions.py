"""Build knowledge/text/lexicons/regions.tsv (Chinese provinces and cities) from cpca's adcodes.csv.

Run by hand when the administrative divisions change: `python scripts/build_regions.py PATH/adcodes.csv`.
The CSV ships in the cpca package (MIT, (c) 2018 QinYuan Du); only names and their province are kept.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "knowledge" / "text" / "lexicons" / "regions.tsv"
SKIP = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def main(path: str) -> None:
    with open(path, encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    names = {r["adcode"][:6]: r["name"] for r in rows}
    lines = ["# name\tprovince — Chinese provinces, prefecture-level and county-level cities (cpca 0.5.5 adcodes)"]
    for code, name in sorted(names.items()):
        province = names.get(code[:2] + "0000", "")
        if name in SKIP or not province:
            continue
        prefecture = code[2:] == "0000" or code[4:] == "00"
        if prefecture or name.endswith("市"):  # districts and counties are left out: too many common words
            lines.append(f"{name}\t{province}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 1} regions written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
