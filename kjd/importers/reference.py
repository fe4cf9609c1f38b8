"""Reference tables from data/: Jilin divisions and controlled vocabularies."""

import csv
import functools
from dataclasses import dataclass

from kjd.normalize import match_key
from kjd.paths import data_file


@dataclass(frozen=True)
class Region:
    """The 市州 (or province outside Jilin) and 县区 that a text names."""

    city: str | None
    county: str | None


@dataclass(frozen=True)
class _Place:
    name: str
    city: str | None
    county: str | None


@functools.cache
def _places() -> tuple[list[tuple[str, _Place]], list[tuple[str, _Place]]]:
    """Return (full names, short names) as (key, place), longest key first."""
    with data_file("regions.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_name = {row["name"]: row for row in rows}
    full: list[tuple[str, _Place]] = []
    short: list[tuple[str, _Place]] = []
    for row in rows:
        place = _place_of(row, by_name)
        if place is None:
            continue
        full.append((match_key(row["name"]), place))
        for alias in filter(None, row["aliases"].split(";")):
            full.append((match_key(alias), place))
        if row["short_name"] and row["short_name"] != row["name"]:
            short.append((match_key(row["short_name"]), place))
    full.sort(key=lambda item: -len(item[0]))
    short.sort(key=lambda item: -len(item[0]))
    return full, short


def _place_of(row: dict, by_name: dict) -> _Place | None:
    if row["level"] == "province":
        if row["code"] == "220000":
            return _Place(row["name"], None, None)
        return _Place(row["name"], row["name"], None)
    if row["level"] == "prefecture":
        return _Place(row["name"], row["name"], None)
    parent = by_name.get(row["parent_name"])
    county = row["name"] if row["level"] == "county" else None
    while parent is not None and parent["level"] == "county":
        county = county or parent["name"]
        parent = by_name.get(parent["parent_name"])
    city = (
        parent["name"] if parent is not None and parent["level"] != "province" else None
    )
    return _Place(row["name"], city, county)


@functools.lru_cache(maxsize=4096)
def find_region(text: str | None, allow_short_names: bool = True) -> Region | None:
    """Return the 市州 and 县区 named in `text`, or None when it names no place.

    '长春市朝阳区' → (长春市, 朝阳区); '九台市' → (长春市, 九台区); '河南省郑州市'
    → (河南省, None), because only Jilin is divided further. Short names (长春,
    延边, 九台) are used only when `allow_short_names`, which callers turn off for
    free text such as enterprise names where 朝阳 may be part of a brand.
    """
    key = match_key(text)
    if not key:
        return None
    full, short = _places()
    found = [place for alias, place in full if alias in key]
    if not found and allow_short_names:
        found = [place for alias, place in short if alias in key]
    if not found:
        return None
    county = next((place.county for place in found if place.county), None)
    city_of_county = next(
        (place.city for place in found if place.county == county and county), None
    )
    city = city_of_county or next((place.city for place in found if place.city), None)
    return Region(city, county)


@functools.cache
def _vocabularies() -> dict[str, list[tuple[str, str]]]:
    """Return {vocabulary: [(synonym key, label)]}, longest synonym first."""
    table: dict[str, list[tuple[str, str]]] = {}
    with data_file("vocabularies.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            terms = [row["label"], *filter(None, row["synonyms"].split(";"))]
            entries = table.setdefault(row["vocabulary"], [])
            for term in terms:
                entries.append((match_key(term), row["label"]))
    for entries in table.values():
        entries.sort(key=lambda item: -len(item[0]))
    return table


@functools.lru_cache(maxsize=4096)
def map_vocabulary(vocabulary: str, text: str | None) -> str | None:
    """Return the standard label for `text` in a controlled vocabulary, or None.

    An exact synonym wins; otherwise the longest synonym contained in the text
    ('产业化推进中' → 产业化, '中试（论文）' → 中试). Maturity also accepts TRL
    levels and maps them to their stage (TRL 6 → 中试).
    """
    key = match_key(text)
    if not key:
        return None
    if vocabulary == "maturity_stage":
        stage = _trl_stage(key)
        if stage:
            return stage
    entries = _vocabularies().get(vocabulary, [])
    for term, label in entries:
        if term == key:
            return label
    for term, label in entries:
        if len(term) >= 2 and term in key:
            return label
    return None


_TRL_STAGE = {1: "研发阶段", 2: "研发阶段", 3: "研发阶段", 4: "小试", 5: "小试"}
_TRL_STAGE.update({6: "中试", 7: "中试", 8: "试生产", 9: "产业化"})


def _trl_stage(key: str) -> str | None:
    import re

    match = re.search(r"trl-?(\d)|技术就绪度(\d)级|成熟度(\d)级", key)
    if not match:
        return None
    level = int(next(group for group in match.groups() if group))
    return _TRL_STAGE.get(level)
