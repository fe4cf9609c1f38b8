"""Comparison features of candidate pairs: region, maturity and cooperation mode.

Text features live with the vectors (kjd.match.pipeline); the ones here compare
the structured facts of a demand and a target. Every function takes whole
arrays of pairs and returns one value in [0, 1] per pair; 0.5 means unknown.
"""

import csv
import functools
import re
from collections.abc import Sequence

import numpy as np

from kjd.match.text import fold, read_text_file
from kjd.paths import data_file

UNKNOWN = 0.5

# Stage 1 (lab) to 5 (mass production), from words of the maturity vocabulary.
_MATURITY_STAGES = (
    (
        5,
        (
            "产业化",
            "批量",
            "规模化",
            "规模应用",
            "推广应用",
            "已应用",
            "工业化",
            "量产",
        ),
    ),
    (4, ("试生产", "小批量", "试产", "试制", "示范", "定型")),
    (3, ("中试", "工程化", "样机", "试验示范")),
    (2, ("小试",)),
    (1, ("实验室", "研发阶段", "研究阶段", "原理", "论文", "概念验证", "基础研究")),
)

# Cooperation modes grouped by what the enterprise gets; same group = compatible.
_MODE_GROUPS = (
    ("transfer", ("转让", "许可", "买断", "作价", "入股", "投资")),
    ("develop", ("合作开发", "联合", "委托", "共同", "揭榜", "攻关", "研发")),
    ("service", ("技术服务", "咨询", "指导", "检测", "培训", "顾问")),
    ("platform", ("共建", "平台", "实验室", "中心")),
    ("talent", ("引进", "全职", "柔性", "兼职", "人才")),
)
_READY_WORDS = (
    "成果引进",
    "引进成果",
    "转让",
    "许可",
    "购买",
    "买断",
    "产业化",
    "作价",
)
_REGION_SUFFIX = re.compile(r"(朝鲜族自治州|自治州|自治县|地区|新区|市|州|县|区|省)$")
# Province short names that are also city names.
_PROVINCE_KEYS = frozenset({"吉林", "海南"})


def maturity_stage(text: str | None) -> int:
    """Return 1 (lab) … 5 (mass production) for a maturity text, 0 when unknown."""
    folded = fold(text)
    for stage, words in _MATURITY_STAGES:
        if any(word in folded for word in words):
            return stage
    return 0


def mode_group(text: str | None) -> str:
    """Return the cooperation-mode group of a text ('' when unknown)."""
    folded = fold(text)
    for group, words in _MODE_GROUPS:
        if any(word in folded for word in words):
            return group
    return ""


def wants_ready_technology(demand_type: str | None, mode: str | None) -> bool:
    """Return True when a demand requests a finished achievement (成果引进, 转让…).

    Such a demand is better served by a mature achievement; a demand to solve a
    technical problem (技术难题攻关) is served by research at any stage.
    """
    text = fold(f"{demand_type or ''} {mode or ''}")
    return any(word in text for word in _READY_WORDS)


def fit_feature(
    demand_ready: Sequence[bool],
    demand_modes: Sequence[str],
    target_maturities: Sequence[str],
    target_modes: Sequence[str],
    demand_rows: np.ndarray,
    target_rows: np.ndarray,
) -> np.ndarray:
    """Return maturity and cooperation-mode compatibility of each pair.

    Half of the feature is maturity: stage / 5 of an achievement for a demand
    that wants ready technology, 0.5 otherwise (unknown stage, experts,
    institutes, problem-solving demands). The other half is the cooperation
    mode: 1 same group, 0.25 different groups, 0.5 when either side is unknown.
    """
    stages = np.array([maturity_stage(m) for m in target_maturities], dtype=np.float32)
    stage_value = np.where(stages > 0, stages / 5.0, UNKNOWN)
    ready = np.asarray(demand_ready, dtype=bool)
    maturity = np.full(len(demand_rows), UNKNOWN, dtype=np.float32)
    if len(demand_rows):
        wanted = ready[demand_rows]
        maturity[wanted] = stage_value[target_rows[wanted]]
    demand_groups = np.array([mode_group(m) for m in demand_modes], dtype=object)
    target_groups = np.array([mode_group(m) for m in target_modes], dtype=object)
    left = demand_groups[demand_rows] if len(demand_groups) else np.array([], object)
    right = target_groups[target_rows] if len(target_groups) else np.array([], object)
    known = (left != "") & (right != "")
    mode = np.where(known, np.where(left == right, 1.0, 0.25), UNKNOWN)
    return (0.5 * maturity + 0.5 * mode).astype(np.float32)


@functools.lru_cache(maxsize=1)
def _regions() -> dict[str, tuple[str, bool]]:
    # name or short name → (prefecture key, in the province)
    table: dict[str, tuple[str, bool]] = {}
    text = read_text_file(data_file("match_regions.csv"))
    for row in csv.DictReader(text.splitlines()):
        in_province = row["in_province"] == "1"
        prefecture = region_key(row["prefecture"]) if row["prefecture"] else ""
        for name in (row["name"], row["short_name"]):
            if name:
                table.setdefault(region_key(name), (prefecture, in_province))
    return table


def region_key(text: str | None) -> str:
    """Return the comparison key of a place name: folded, suffix 市/州/县… removed.

    A city named like its province keeps its 市 (吉林市 → 吉林市, 吉林省 → 吉林),
    so the two never compare equal.
    """
    folded = fold(text).replace(" ", "")
    key = _REGION_SUFFIX.sub("", folded)
    if folded.endswith("市") and key in _PROVINCE_KEYS:
        return key + "市"
    return key


def locate(city: str | None) -> tuple[str, bool | None]:
    """Return (prefecture key, in province) of a place; ('', None) when unknown.

    A place the table does not know keeps its own key and counts as outside
    the province (an address in another province, as most rosters write them).
    """
    key = region_key(city)
    if not key:
        return "", None
    regions = _regions()
    if key in regions:
        prefecture, in_province = regions[key]
        return prefecture or key, in_province
    for name, (prefecture, in_province) in regions.items():
        if len(name) >= 2 and key.startswith(name):
            return prefecture or name, in_province
    return key, False


def region_feature(
    demand_cities: Sequence[str],
    target_cities: Sequence[str],
    demand_rows: np.ndarray,
    target_rows: np.ndarray,
) -> np.ndarray:
    """Return 1 for the same 市州, 0.5 both in the province, 0 otherwise or unknown."""
    demand_places = [locate(c) for c in demand_cities]
    target_places = [locate(c) for c in target_cities]
    d_pref = np.array([p for p, _ in demand_places] or [""], dtype=object)
    t_pref = np.array([p for p, _ in target_places] or [""], dtype=object)
    d_in = np.array([bool(i) for _, i in demand_places] or [False])
    t_in = np.array([bool(i) for _, i in target_places] or [False])
    left, right = d_pref[demand_rows], t_pref[target_rows]
    same = (left != "") & (left == right)
    both_in = d_in[demand_rows] & t_in[target_rows]
    return np.where(same, 1.0, np.where(both_in, 0.5, 0.0)).astype(np.float32)
