"""Score how likely two organisation names name the same body (0–100).

The score looks past the stock parts of a name: region prefixes and inserts,
legal forms (有限公司, 集团…), industry words (汽车零部件, 生物科技…) and, for
institutes, the parent academy and the form (大学, 研究所…). Two names that share
only stock words score low: 长春德茂汽车零部件有限公司 vs 长春恒昌汽车零部件有限公司
scores 0 because their brands 德茂 and 恒昌 differ.

Thresholds (see kjd.match.entities): a score ≥ LINK_THRESHOLD links a name to a
record without asking; REVIEW_THRESHOLD ≤ score < LINK_THRESHOLD sends the pair
to review; below REVIEW_THRESHOLD the names are taken as different bodies.
"""

from dataclasses import dataclass

from rapidfuzz.distance import Indel

from kjd.match.orgnames import NameParts, enterprise_parts, institute_parts
from kjd.match.orgwords import regions

LINK_THRESHOLD = 90.0
REVIEW_THRESHOLD = 70.0

# A pair that cannot be linked without a person: same brand, other industry.
_REVIEW_SCORE = 75.0
# One wrong character in the industry words of the same brand.
_TYPO_SCORE = 92.0
# One wrong character in a brand of four or more characters.
_BRAND_TYPO_SCORE = 80.0
# A pair whose names conflict (other region, other parent academy, other form).
_CONFLICT_CAP = 60.0
# Brands this short differ in one character between different firms (瑞丰/瑞祥).
_SHORT_CORE = 3
_FORM_GROUPS = (
    {"大学", "university"},
    {"学院", "college"},
    {"研究所", "所", "institute"},
    {"研究院", "院", "academy"},
)


@dataclass(frozen=True)
class Comparison:
    """The score of a pair of names and the rule that gave it."""

    score: float
    rule: str


def compare_names(kind: str, name_a: str, name_b: str) -> Comparison:
    """Compare two names of `kind` ('institute' or 'enterprise')."""
    if kind == "enterprise":
        return compare_enterprise_parts(
            enterprise_parts(name_a), enterprise_parts(name_b)
        )
    return compare_institute_parts(institute_parts(name_a), institute_parts(name_b))


def ratio(a: str, b: str) -> float:
    """Return the Indel similarity of two strings, 0–100 (RapidFuzz fuzz.ratio)."""
    if not a and not b:
        return 100.0
    return Indel.normalized_similarity(a, b) * 100.0


def compare_enterprise_parts(a: NameParts, b: NameParts) -> Comparison:
    """Compare two company names by brand core first, industry tail second.

    Regions and legal forms are ignored. When either name has no brand core
    (吉林化纤集团), the names must agree on everything but region and legal form.
    """
    if a.folded == b.folded:
        return Comparison(100.0, "same_name")
    if not a.core or not b.core:
        if a.bare == b.bare and a.bare:
            return Comparison(95.0, "same_name_but_legal_form")
        return Comparison(0.0, "stock_words_only")

    if a.core != b.core and _one_substitution_after(a, b):
        return Comparison(_TYPO_SCORE, "industry_typo")
    core_score = _core_similarity(a.core, b.core)
    if core_score < REVIEW_THRESHOLD:
        return Comparison(core_score, "other_brand")
    if not a.tail or not b.tail:
        if a.tail == b.tail:
            return Comparison(core_score, _core_rule(core_score, "same_brand"))
        return Comparison(min(core_score, 85.0), "brand_only")

    tail_score = ratio(a.tail, b.tail)
    raw_tail_a, raw_tail_b = a.bare[len(a.core) :], b.bare[len(b.core) :]
    if (
        len(raw_tail_a) == len(raw_tail_b)
        and _substitutions(raw_tail_a, raw_tail_b) == 1
    ):
        # 电子科技 typed 电子亻技 loses the generic word, so compare as typed.
        tail_score = max(tail_score, ratio(raw_tail_a, raw_tail_b))
    if tail_score < 75.0:
        return Comparison(min(core_score, _REVIEW_SCORE), "same_brand_other_industry")
    score = core_score - (100.0 - tail_score) / 10.0
    return Comparison(round(score, 1), _core_rule(core_score, "same_brand"))


def compare_institute_parts(a: NameParts, b: NameParts) -> Comparison:
    """Compare two institute names by core, checking region, parent and form.

    A region present in only one name is an insert (洛阳 in 中钢集团洛阳耐火
    材料研究院) and does not count against the pair; two different regions do
    (长春光机所 vs 西安光机所).
    """
    if a.folded == b.folded:
        return Comparison(100.0, "same_name")
    conflict = _institute_conflict(a, b)
    if a.core == b.core:
        if not a.core:
            same_place = _region_stems(a) == _region_stems(b)
            if same_place and not conflict:
                return Comparison(95.0, "same_name_but_form")
            return Comparison(0.0, "form_words_only")
        if conflict:
            return Comparison(_CONFLICT_CAP, conflict)
        rule = "region_insert" if a.regions != b.regions else "parent_or_form"
        return Comparison(95.0, rule)
    score = _core_similarity(a.core, b.core)
    if conflict:
        return Comparison(min(score, _CONFLICT_CAP), conflict)
    return Comparison(score, "fuzzy_name")


def _core_similarity(core_a: str, core_b: str) -> float:
    if core_a == core_b:
        return 100.0
    score = ratio(core_a, core_b)
    if min(len(core_a), len(core_b)) <= _SHORT_CORE:
        return min(score, 50.0)
    if len(core_a) == len(core_b) and _substitutions(core_a, core_b) == 1:
        # One wrong character in a long brand: queued at import for a person,
        # but below the dedupe default, because different firms differ so too.
        return max(score, _BRAND_TYPO_SCORE)
    return round(score, 1)


def _substitutions(first: str, second: str) -> int:
    return sum(1 for x, y in zip(first, second, strict=True) if x != y)


def _one_substitution_after(a: NameParts, b: NameParts) -> bool:
    """One wrong character in the industry words, which moved the core boundary.

    宏源生物科技 typed as 宏源亻物科技 reads the core as 宏源亻物; the bare names
    still differ in one character after the shorter core.
    """
    if len(a.bare) != len(b.bare) or _substitutions(a.bare, b.bare) != 1:
        return False
    position = next(
        i for i, (x, y) in enumerate(zip(a.bare, b.bare, strict=True)) if x != y
    )
    return position >= min(len(a.core), len(b.core)) >= 2


def _core_rule(core_score: float, exact_rule: str) -> str:
    return exact_rule if core_score >= 100.0 else "fuzzy_brand"


def _institute_conflict(a: NameParts, b: NameParts) -> str:
    if a.parent and b.parent and a.parent != b.parent:
        return "other_parent"
    if a.form and b.form and not _same_form(a.form, b.form):
        return "other_form"
    if a.regions and b.regions and not _regions_overlap(a.regions, b.regions):
        return "other_region"
    return ""


def _same_form(form_a: str, form_b: str) -> bool:
    if form_a == form_b:
        return True
    last_a = _last_form(form_a)
    last_b = _last_form(form_b)
    return any(last_a in group and last_b in group for group in _FORM_GROUPS)


def _last_form(form: str) -> str:
    for group in _FORM_GROUPS:
        for word in sorted(group, key=len, reverse=True):
            if form.endswith(word):
                return word
    return form


def _region_stems(parts: NameParts) -> set[str]:
    table = regions()
    return {table[name].stem if name in table else name for name in parts.regions}


def _regions_overlap(names_a: tuple[str, ...], names_b: tuple[str, ...]) -> bool:
    """Return True when a region of one name is, or contains, one of the other's."""
    table = regions()
    for name_a in names_a:
        for name_b in names_b:
            region_a, region_b = table.get(name_a), table.get(name_b)
            if region_a is None or region_b is None:
                continue
            if region_a.stem == region_b.stem:
                return True
            if region_a.level == "province" and region_b.province == region_a.name:
                return True
            if region_b.level == "province" and region_a.province == region_b.name:
                return True
    return False
