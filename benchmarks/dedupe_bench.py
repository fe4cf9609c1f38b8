"""Measure `kjd dedupe` on generated enterprises with planted duplicates.

Prints precision and recall of the proposed pairs at the default threshold
and the time to find them. Usage:

    PYTHONPATH=. python benchmarks/dedupe_bench.py [--enterprises 50000] [--seed 7]

Brands are random strings of brand characters, leaving out those that
contain a region or industry word (吉林市永吉运鸣: is 永吉 a county or the
brand?), because the generator cannot know the truth for them.
A planted duplicate is a second spelling of a generated company: another
legal form, a region prefix dropped or written as an insert (（长春）),
traditional characters, a typo in the industry words or in a brand of four
or more characters, or the short form (brand + industry). Hard negatives are
generated too: the same brand in another industry and other brands with the
same region, industry and legal form.
"""

import argparse
import random
import sqlite3
import time

import opencc

from kjd.db import open_db, transaction
from kjd.match.dedupe import DEDUPE_THRESHOLD, find_duplicates
from kjd.match.orgwords import region_names, words

REGIONS = [
    "吉林省",
    "长春",
    "长春市",
    "吉林市",
    "四平",
    "延边",
    "通化",
    "松原",
    "白城",
    "",
]
INDUSTRIES = [
    "汽车零部件", "生物科技", "新能源科技", "新材料科技", "化工", "医药", "电子科技",
    "机械制造", "农业科技", "食品", "光电科技", "软件技术", "环保科技", "建材",
    "精密仪器",
]  # fmt: skip
LEGAL_FORMS = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
BRAND_CHARACTERS = (
    "德茂恒昌瑞丰祥华泰鑫源博超宏达兴盛金鼎富康隆昊远航天启明辉东方新宇凯越嘉禾"
    "锦程永安通和润泽致远卓越恒信华瑞鸿运中科长光一汽亚泰天成聚力正大三友汇通"
    "海川宝丰金桥双星龙腾凤鸣蓝天绿野北方吉瑞宏图佳和万通利民安泰顺达福源"
)


def generate(count: int, rng: random.Random) -> tuple[list[str], list[int]]:
    """Return names and the group number of each (equal groups = same company)."""
    to_traditional = opencc.OpenCC("s2t")
    brands = _brands(count, rng)
    names: list[str] = []
    groups: list[int] = []
    group = 0
    while len(names) < count:
        brand = brands[group]
        industry = rng.choice(INDUSTRIES)
        region = rng.choice(REGIONS)
        legal = rng.choice(LEGAL_FORMS)
        names.append(f"{region}{brand}{industry}{legal}")
        groups.append(group)
        if rng.random() < 0.10 and len(names) < count:
            names.append(_variant(brand, industry, region, legal, rng, to_traditional))
            groups.append(group)
        if rng.random() < 0.03 and len(names) < count:
            other = rng.choice(
                [item for item in INDUSTRIES if item[:2] != industry[:2]]
            )
            names.append(f"{region}{brand}{other}{legal}")
            groups.append(-group - 1)
        group += 1
    return names, groups


def _brands(count: int, rng: random.Random) -> list[str]:
    found: set[str] = set()
    ordered = []
    while len(ordered) < count:
        length = rng.choice((2, 2, 3, 4))
        brand = "".join(rng.choice(BRAND_CHARACTERS) for _ in range(length))
        if brand not in found and not _has_stock_word(brand):
            found.add(brand)
            ordered.append(brand)
    return ordered


def _has_stock_word(brand: str) -> bool:
    """A brand holding a region or industry word has no knowable ground truth."""
    stock = region_names() + words("industry") + words("generic")
    return any(word in brand for word in stock)


def _variant(brand, industry, region, legal, rng, to_traditional) -> str:
    kind = rng.choice(("legal", "region", "insert", "traditional", "typo", "short"))
    if kind == "legal":
        return f"{region}{brand}{industry}{rng.choice(LEGAL_FORMS)}"
    if kind == "region":
        return f"{rng.choice(REGIONS)}{brand}{industry}{legal}"
    if kind == "insert":
        return f"{brand}{industry}（{rng.choice(['长春', '吉林'])}）{legal}"
    if kind == "traditional":
        return to_traditional.convert(f"{region}{brand}{industry}{legal}")
    if kind == "short":
        return f"{brand}{industry}"
    if len(brand) >= 4:
        position = rng.randrange(len(brand))
        brand = brand[:position] + rng.choice(BRAND_CHARACTERS) + brand[position + 1 :]
    else:
        position = rng.randrange(len(industry))
        industry = industry[:position] + "亻" + industry[position + 1 :]
    return f"{region}{brand}{industry}{legal}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=DEDUPE_THRESHOLD)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    names, groups = generate(args.enterprises, rng)
    db = open_db(":memory:")
    with transaction(db):
        db.conn.executemany(
            "INSERT INTO enterprises (id, name, natural_key) VALUES (?, ?, ?)",
            [(i + 1, name, f"k{i + 1}") for i, name in enumerate(names)],
        )

    started = time.perf_counter()
    pairs = find_duplicates(db, "enterprise", threshold=args.threshold)
    elapsed = time.perf_counter() - started

    truth = _true_pairs(groups)
    found = {(pair.id_a, pair.id_b) if pair.id_a < pair.id_b else (pair.id_b, pair.id_a)
             for pair in pairs}  # fmt: skip
    correct = len(found & truth)
    precision = correct / len(found) if found else 1.0
    recall = correct / len(truth) if truth else 1.0
    print(f"enterprises: {len(names)}  planted duplicate pairs: {len(truth)}")
    print(f"threshold: {args.threshold:g}  proposed pairs: {len(found)}")
    print(f"precision: {precision:.4f}  recall: {recall:.4f}")
    print(f"find_duplicates: {elapsed:.1f} s (sqlite {sqlite3.sqlite_version})")
    _print_misses(names, truth - found, found - truth)


def _true_pairs(groups: list[int]) -> set[tuple[int, int]]:
    members: dict[int, list[int]] = {}
    for index, group in enumerate(groups):
        if group >= 0:
            members.setdefault(group, []).append(index + 1)
    pairs = set()
    for ids in members.values():
        for i, first in enumerate(ids):
            for second in ids[i + 1 :]:
                pairs.add((first, second))
    return pairs


def _print_misses(names, missed, wrong) -> None:
    for label, sample in (("missed", missed), ("wrong", wrong)):
        for id_a, id_b in sorted(sample)[:5]:
            print(f"  {label}: {names[id_a - 1]} | {names[id_b - 1]}")


if __name__ == "__main__":
    main()
