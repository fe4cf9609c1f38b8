"""Find the header row(s) of a roster, map column titles to fields, detect the kind.

Column titles map to fields through data/headers.csv (kind, field, alias,
weight). Titles are compared by `header_key`: NFKC, no spaces or line breaks,
no leading '*' marks, without bracketed notes such as （万元） or （必填）. A
two-level header made with merged cells (联系人 over 姓名/联系电话) gives the
column titles '联系人/姓名' and '联系人/联系电话'; the full title is looked up
first, then the lower title, then the upper one.
"""

import csv
import functools
import logging
import re
from dataclasses import dataclass, field

from kjd.errors import AmbiguousKind
from kjd.importers.rosters import KIND_LABELS, KINDS, ROSTERS
from kjd.importers.xlsx_meta import column_letter
from kjd.normalize import clean_name, match_key
from kjd.paths import data_file

logger = logging.getLogger(__name__)

HEADER_SCAN_ROWS = 30
MIN_MAPPED_COLUMNS = 2
MIN_KIND_SCORE = 3
MAX_HEADER_LEVELS = 3
MAX_LABEL_LENGTH = 40

_BRACKETED = re.compile(r"[（(【\[〔][^）)】\]〕]*[）)】\]〕]")
_LEADING_MARKS = re.compile(r"^[*＊※★☆#]+|[*＊※★☆:：]+$")
_UNIT = re.compile(r"(亿元|万元|千元|元|亿|万)")
_FILING = re.compile(r"[:：]\s*\S")
_SHEET_HINTS = {
    "demands": ("需求", "难题"),
    "projects": ("成果", "项目"),
    "experts": ("专家", "人才库", "院士"),
    "institutes": ("院所", "高校", "机构", "名录"),
    "enterprises": ("企业",),
}


@dataclass
class Alias:
    """One header title that names a field of a roster kind."""

    field: str
    weight: int
    priority: int


@dataclass
class Header:
    """The header block of a sheet and what each column means for one kind."""

    top: int
    bottom: int
    labels: list[str]
    kind: str
    fields: dict[int, str] = field(default_factory=dict)
    extra: dict[int, str] = field(default_factory=dict)
    units: dict[int, str] = field(default_factory=dict)
    scores: dict[str, int] = field(default_factory=dict)

    @property
    def header_row(self) -> int:
        """The Excel row number of the header's first row."""
        return self.top + 1

    @property
    def first_data_row(self) -> int:
        return self.bottom + 1

    @property
    def missing_required(self) -> bool:
        """True when no required column of the kind is in the header."""
        return not ROSTERS[self.kind].has_required_columns(set(self.fields.values()))

    @property
    def identified_by_ref(self) -> bool:
        """True when rows lack the required column and stand on their reference."""
        return self.missing_required and ROSTERS[self.kind].accepts_header(
            set(self.fields.values())
        )


def header_key(label) -> str:
    """Return the comparison form of a column title.

    '*拟投入资金（万元）' → '拟投入资金'; '联系\\n电话' → '联系电话'.
    """
    if label is None:
        return ""
    text = match_key(str(label))
    stripped = _BRACKETED.sub("", text)
    text = stripped or text
    return _LEADING_MARKS.sub("", text)


def header_unit(label: str) -> str | None:
    """Return the money unit named in a column title, e.g. '金额（元）' → '元'."""
    for part in re.findall(r"[（(]([^）)]*)[）)]", label or ""):
        unit = _UNIT.search(part)
        if unit:
            return unit.group(1)
    if re.search(r"[（(]?单位[:：]?(亿元|万元|元)", label or ""):
        return _UNIT.search(label.split("单位", 1)[1]).group(1)
    return None


@functools.cache
def aliases() -> dict[str, dict[str, Alias]]:
    """Load data/headers.csv: {kind: {header_key: Alias}}; earlier rows win."""
    table: dict[str, dict[str, Alias]] = {kind: {} for kind in KINDS}
    with data_file("headers.csv").open(encoding="utf-8", newline="") as handle:
        for priority, row in enumerate(csv.DictReader(handle)):
            key = header_key(row["alias"])
            kinds = KINDS if row["kind"] == "*" else (row["kind"],)
            for kind in kinds:
                table[kind].setdefault(
                    key, Alias(row["field"], int(row["weight"]), priority)
                )
    return table


@functools.cache
def _all_keys() -> frozenset[str]:
    return frozenset(key for table in aliases().values() for key in table)


def find_header(
    rows: list[list],
    merged: list[tuple[int, int, int, int]],
    kind: str | None = None,
) -> tuple[int, int] | None:
    """Return the 0-based (top, bottom) rows of the header block, or None.

    The header is the row among the first rows of the sheet whose cells name the
    most known fields: at least two, or one when `kind` is given and the title
    names a field of that kind. Rows joined to it by merged cells above or below
    become further levels of a two-level header.
    """
    keys = _all_keys() if kind is None else frozenset(aliases()[kind])
    minimum = MIN_MAPPED_COLUMNS if kind is None else 1
    best_row, best_count = None, minimum - 1
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        count = _known_label_count(row, keys)
        if count > best_count:
            best_row, best_count = index, count
    if best_row is None:
        return None
    top = bottom = best_row
    while top > 0 and best_row - top + 1 < MAX_HEADER_LEVELS:
        if not _joined(rows, merged, top - 1, top):
            break
        top -= 1
    while bottom + 1 < len(rows) and bottom - top + 1 < MAX_HEADER_LEVELS:
        if not _joined(rows, merged, bottom, bottom + 1):
            break
        bottom += 1
    return top, bottom


def _known_label_count(row: list, known: frozenset[str]) -> int:
    keys = {header_key(value) for value in row if isinstance(value, str)}
    return len(keys & known)


def _joined(rows, merged, upper: int, lower: int) -> bool:
    # Two rows belong to one header when a merged range spans both. They also
    # do when the upper row contains titles merged across columns that have
    # their own titles below (技术需求 over 需求名称 | 需求描述).
    if not _label_like(rows[upper]) or not _label_like(rows[lower]):
        return False
    for r1, c1, r2, c2 in merged:
        if r1 <= upper and r2 >= lower:
            return True
        if r1 == r2 == upper and c2 > c1:
            below = rows[lower][c1 : c2 + 1]
            if len({value for value in below if value is not None}) > 1:
                return True
    return False


def _label_like(row: list) -> bool:
    values = [value for value in row if value is not None]
    if not values:
        return False
    for value in values:
        if not isinstance(value, str) or len(value) > MAX_LABEL_LENGTH:
            return False
        if _FILING.search(value):
            return False
    return len(set(values)) > 1


def column_labels(rows: list[list], top: int, bottom: int) -> list[str]:
    """Return one title per column, levels joined with '/' ('联系人/姓名')."""
    width = max(len(rows[index]) for index in range(top, bottom + 1))
    labels = []
    for column in range(width):
        parts: list[str] = []
        for index in range(top, bottom + 1):
            cells = rows[index]
            value = clean_name(cells[column]) if column < len(cells) else None
            if value and (not parts or parts[-1] != value):
                parts.append(value)
        labels.append("/".join(parts))
    return labels


def map_header(
    rows: list[list],
    top: int,
    bottom: int,
    sheet_name: str,
    kind: str | None = None,
) -> Header | None:
    """Map the columns of the header block to the fields of a roster kind.

    Without `kind`, each kind whose required columns are present is scored by
    the sum of the weights of the fields its titles name, and the best one is
    taken. Only when no such kind fits are the kinds considered whose rows can
    stand on a reference column alone (项目编号 and 承担单位 without 成果名称).
    A tie that the sheet name does not break raises AmbiguousKind. Returns
    None when no kind fits well enough. With `kind` given, the header is
    returned even when a required column is missing (see `missing_required`
    and `identified_by_ref`), so the caller can say which one.

    Raises:
        AmbiguousKind: two kinds fit equally; the message lists what matched.
    """
    labels = column_labels(rows, top, bottom)
    candidates = {name: _map_for_kind(labels, name) for name in KINDS}
    complete = {
        name: _score(mapping)
        for name, mapping in candidates.items()
        if ROSTERS[name].has_required_columns(set(mapping.values()))
    }
    by_ref = {
        name: _score(mapping)
        for name, mapping in candidates.items()
        if name not in complete and ROSTERS[name].accepts_header(set(mapping.values()))
    }
    scores = {**complete, **by_ref}
    if kind is None:
        kind = _choose_kind(complete, sheet_name, candidates, labels)
        if kind is None:
            kind = _choose_kind(by_ref, sheet_name, candidates, labels)
        if kind is None:
            return None
    mapping = candidates[kind]
    header = Header(top, bottom, labels, kind, scores=scores)
    for column, label in enumerate(labels):
        if column in mapping:
            header.fields[column] = mapping[column]
            unit = header_unit(label)
            if unit:
                header.units[column] = unit
        elif label or _column_has_values(rows, bottom, column):
            header.extra[column] = label or f"列{column_letter(column)}"
    return header


def _map_for_kind(labels: list[str], kind: str) -> dict[int, str]:
    table = aliases()[kind]
    best: dict[str, tuple[int, int, int]] = {}
    for column, label in enumerate(labels):
        alias = _lookup(table, label)
        if alias is None:
            continue
        rank = (-alias.weight, alias.priority, column)
        if alias.field not in best or rank < best[alias.field]:
            best[alias.field] = rank
    return {rank[2]: name for name, rank in best.items()}


def _lookup(table: dict[str, Alias], label: str) -> Alias | None:
    if not label:
        return None
    parts = label.split("/")
    for candidate in (label, parts[-1], parts[0]):
        alias = table.get(header_key(candidate))
        if alias is not None:
            return alias
    return None


def _score(mapping: dict[int, str]) -> int:
    return len(mapping)


def _choose_kind(scores, sheet_name, candidates, labels) -> str | None:
    weighted = {
        name: sum(_weight(name, labels[column]) for column in candidates[name])
        for name in scores
    }
    weighted = {
        name: value for name, value in weighted.items() if value >= MIN_KIND_SCORE
    }
    if not weighted:
        return None
    top_score = max(weighted.values())
    best = [name for name, value in weighted.items() if value == top_score]
    if len(best) > 1:
        hinted = [name for name in best if _sheet_hint(name, sheet_name)]
        if len(hinted) == 1:
            return hinted[0]
        raise AmbiguousKind(_ambiguity_message(best, candidates, labels), kinds=best)
    return best[0]


def _weight(kind: str, label: str) -> int:
    alias = _lookup(aliases()[kind], label)
    return alias.weight if alias else 0


def _sheet_hint(kind: str, sheet_name: str) -> bool:
    return any(word in (sheet_name or "") for word in _SHEET_HINTS[kind])


def _ambiguity_message(kinds, candidates, labels) -> str:
    parts = []
    for name in kinds:
        titles = "、".join(labels[column] for column in sorted(candidates[name]))
        parts.append(f"{KIND_LABELS[name]}（{titles}）")
    options = " 或 ".join(f"--kind {name}" for name in kinds)
    return f"表头同样符合{'、'.join(parts)}，无法判断名单类型，请用 {options} 指定。"


def _column_has_values(rows: list[list], bottom: int, column: int) -> bool:
    for row in rows[bottom + 1 :]:
        if column < len(row) and row[column] is not None:
            return True
    return False
