"""Shortcuts that convert a column's cells once per column or once per value.

A roster of 100,000 rows repeats most of its values: 所在地区, 技术领域,
拟投入资金 and the enterprise names take a few hundred distinct values. A
converter whose result depends only on the cell (not on the other cells of its
row) runs once per distinct value, and its result is copied into every row
that repeats the value. Text columns whose every cell is already clean (see
`kjd.normalize.is_clean_text`) are recognised in one pass over the joined
column, so that their cells are stored without a check each.
"""

import re

from kjd.importers.values import Cell, RowWarning
from kjd.normalize import FOLDED_CLASS, is_clean_text

# Converters that read nothing but the cell, its column title and unit.
# phone (which may fill contact) and the region converters (which fill city
# and county around other columns) read the row and are not memoised.
MEMO_TYPES = frozenset(
    {"name", "text", "prose", "list", "email", "ref", "credit_code", "amount"}
    | {"date", "int", "bool"}
)
# A memo whose first 2,000 lookups found more than 1,000 distinct values is
# dropped, because the column contains codes or descriptions that rarely repeat.
_MEMO_TRIAL = 2000
_MEMO_MAX_DISTINCT = _MEMO_TRIAL // 2
_BLOCK_BITS = 8
# The separator of a column's joined cells. A CJK character is printable and
# not folded, so the check rejects nothing because of it. A cell with a space
# next to it is checked on its own (see _joined_is_clean).
_JOINER = "\u4e00"
# The characters that can make a printable text unclean: a space (leading,
# trailing or doubled), the '_' of '_x000D_', and the folded full-width forms.
# One scan for any of them clears most columns at once.
_SUSPECT = re.compile(f"[ _{FOLDED_CLASS}]")


class ValueMemo:
    """The values one converter wrote for each distinct cell value of a column."""

    def __init__(self, name: str, convert, label: str, unit: str | None):
        self.name = name
        self.convert = convert
        self.label = label
        self.unit = unit
        self.results: dict = {}
        self.lookups = 0
        self.active = True

    def apply(self, raw, cell: Cell) -> None:
        """Write the converted value of `raw` into the cell's record."""
        key = (type(raw), raw)
        result = self.results.get(key)
        if result is None:
            result = self._convert(raw)
            self.results[key] = result
        self.lookups += 1
        if self.lookups == _MEMO_TRIAL and len(self.results) > _MEMO_MAX_DISTINCT:
            self.active = False
            self.results = {}
        written, extra, warnings = result
        values = cell.values
        values.update(written)
        if extra:
            values.setdefault("_extra", {}).update(extra)
        for warning in warnings:
            cell.warnings.append(
                RowWarning(
                    cell.row_number,
                    warning.column,
                    warning.value,
                    warning.code,
                    warning.message,
                )
            )

    def _convert(self, raw) -> tuple[dict, dict | None, list[RowWarning]]:
        scratch = Cell(0, self.label, {}, [], self.unit)
        self.convert(self.name, raw, scratch)
        extra = scratch.values.pop("_extra", None)
        return scratch.values, extra, scratch.warnings


def clean_blocks(rows: list, column: int, first: int, spaces_allowed: bool):
    """Return, per block of 256 rows from `first`, whether its text cells are clean.

    Clean means `is_clean_text` is true for every str cell of the block (and,
    for names, that it has no space), so the cell is stored as it is.
    """
    cells = [row[column] if column < len(row) else None for row in rows[first:]]
    if _joined_is_clean(cells, spaces_allowed):
        return _AllClean()
    size = 1 << _BLOCK_BITS
    return [
        _joined_is_clean(cells[start : start + size], spaces_allowed)
        for start in range(0, len(cells), size)
    ]


class _AllClean:
    """A block list whose every block is clean."""

    def __getitem__(self, block: int) -> bool:
        return True


def block_of(index: int, first: int) -> int:
    """Return the block that row `index` falls in, for `clean_blocks`."""
    return (index - first) >> _BLOCK_BITS


def _joined_is_clean(cells: list, spaces_allowed: bool) -> bool:
    texts = [cell for cell in cells if type(cell) is str]
    if not texts:
        return True
    joined = _JOINER.join(texts)
    if not joined.isprintable():
        return False
    if _SUSPECT.search(joined) is None:
        return True
    if " " + _JOINER in joined or _JOINER + " " in joined:
        # A cell that starts or ends with a space, or one that contains the
        # joining character next to a space: decide cell by cell.
        return all(_cell_is_clean(text, spaces_allowed) for text in texts)
    return _cell_is_clean(joined, spaces_allowed)


def _cell_is_clean(text: str, spaces_allowed: bool) -> bool:
    return is_clean_text(text) and (spaces_allowed or " " not in text)
