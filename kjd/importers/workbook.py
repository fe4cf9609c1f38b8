"""Read xlsx, xlsm, xls and CSV files into raw sheets of cell values.

The format is found from the file's content, not its extension. Values come from
python-calamine (fast); what calamine does not report (hidden rows and columns,
the active sheet, zero-padded number formats) comes from a light scan of the
workbook XML (`xlsx_meta`) or from xlrd for legacy .xls files. Cells merged over
several rows or columns are filled from their anchor cell, within the merged
range only.
"""

import csv
import io
import logging
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from kjd.errors import FileRejected
from kjd.importers import xlsx_meta
from kjd.normalize import apply_zero_format

logger = logging.getLogger(__name__)

CSV_ENCODINGS = ("utf-8-sig", "gb18030")
"""Tried in this order. Plain gbk is never tried: gb18030 is its superset."""

MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
MAX_COMPRESSION_RATIO = 200
_ESCAPED_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


class NotARoster(Exception):
    """The file is not a spreadsheet or CSV table (an image, a PDF, a binary)."""


@dataclass
class RawSheet:
    """One worksheet: its cell values by 0-based row and column, and its layout.

    `rows[i]` is Excel row i + 1. Values are str, float, int, bool, date,
    datetime or None; merged cells already carry their anchor's value.
    """

    name: str
    index: int
    state: str = "visible"
    rows: list[list] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)

    @property
    def visible(self) -> bool:
        return self.state == "visible"


@dataclass
class RawWorkbook:
    """The sheets of one file, in workbook order, and which one is active."""

    path: Path
    file_format: str
    sheets: list[RawSheet]
    active_index: int = 0
    encoding: str | None = None


def read_workbook(path: Path, sheet: str | None = None) -> RawWorkbook:
    """Read every sheet of `path` (or only the sheet named `sheet`).

    Raises:
        NotARoster: the content is not a workbook or a text table.
        FileRejected: the file is a workbook but corrupt, truncated or unsafe.
    """
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_ZIP_MAGIC):
        return _read_xlsx(path, sheet)
    if head.startswith(_OLE_MAGIC):
        return _read_xls(path, sheet)
    return _read_text_table(path)


def _read_xlsx(path: Path, sheet: str | None) -> RawWorkbook:
    # check the archive before parsing
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRejected(
            f"{path.name}：文件已损坏或不完整，无法作为 Excel 工作簿打开。",
            path=str(path),
        ) from exc
    with archive:
        _check_zip_size(path, archive)
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise NotARoster("zip archive without xl/workbook.xml")
        try:
            layout = xlsx_meta.read_layout(archive)
        except xlsx_meta.LayoutError as exc:
            raise _corrupt(path) from exc

        # read values with calamine
        try:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # calamine raises its own error types
            raise _corrupt(path) from exc
        selected = [
            (index, name)
            for index, name in enumerate(book.sheet_names)
            if sheet is None or name == sheet
        ]
        # calamine parses without the interpreter lock, so the sheets are
        # parsed in a thread while this one scans their XML for the layout.
        with ThreadPoolExecutor(max_workers=1) as pool:
            parsed = pool.map(lambda item: _calamine_sheet(path, book, *item), selected)
            details = [
                _sheet_details(path, archive, layout, name) for _, name in selected
            ]
            sheets = []
            for raw, (state, found) in zip(parsed, details, strict=True):
                raw.state = state
                if found is not None:
                    raw.hidden_rows = found.hidden_rows
                    raw.hidden_columns = found.hidden_columns
                    _apply_number_formats(raw, found.zero_formats)
                _fill_merged(raw)
                sheets.append(raw)
    return RawWorkbook(path, "xlsx", sheets, active_index=layout.active_index)


def _sheet_details(path: Path, archive, layout, name: str):
    # Returns the sheet's state and its scanned details (None if not listed).
    info = layout.sheets.get(name)
    if info is None:
        return "visible", None
    try:
        return info.state, xlsx_meta.read_sheet_details(archive, info, layout)
    except xlsx_meta.LayoutError as exc:
        raise _corrupt(path) from exc


def _check_zip_size(path: Path, archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    expanded = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    if expanded > MAX_UNCOMPRESSED_BYTES or (
        expanded > 100 * 1024**2 and expanded / packed > MAX_COMPRESSION_RATIO
    ):
        raise FileRejected(
            f"{path.name}：解压后大小 {expanded / 1024**2:,.0f} MB，"
            f"远超文件本身（{packed / 1024**2:,.1f} MB），疑为压缩炸弹，已拒绝。",
            path=str(path),
        )


def _corrupt(path: Path) -> FileRejected:
    return FileRejected(
        f"{path.name}：文件已损坏或不完整，无法读取。请在 Excel 中打开并另存后重试。",
        path=str(path),
    )


def _calamine_sheet(path: Path, book, index: int, name: str) -> RawSheet:
    try:
        worksheet = book.get_sheet_by_index(index)
        rows = worksheet.to_python(skip_empty_area=False)
        merged = worksheet.merged_cell_ranges or []
    except Exception as exc:  # calamine raises its own error types
        raise _corrupt(path) from exc
    for row in rows:
        if "" in row:
            for column, value in enumerate(row):
                if value == "":
                    row[column] = None
    ranges = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in merged]
    return RawSheet(name=name, index=index, rows=rows, merged=ranges)


def _apply_number_formats(raw: RawSheet, formats: dict[tuple[int, int], str]) -> None:
    for (row, column), number_format in formats.items():
        if row >= len(raw.rows) or column >= len(raw.rows[row]):
            continue
        value = raw.rows[row][column]
        if isinstance(value, float | int) and not isinstance(value, bool):
            text = apply_zero_format(float(value), number_format)
            if text is not None:
                raw.rows[row][column] = text


def _fill_merged(raw: RawSheet) -> None:
    for r1, c1, r2, c2 in raw.merged:
        if r1 >= len(raw.rows):
            continue
        anchor = raw.rows[r1][c1] if c1 < len(raw.rows[r1]) else None
        for row in range(r1, min(r2, len(raw.rows) - 1) + 1):
            cells = raw.rows[row]
            if len(cells) <= c2:
                cells.extend([None] * (c2 + 1 - len(cells)))
            for column in range(c1, c2 + 1):
                cells[column] = anchor


def _read_xls(path: Path, sheet: str | None) -> RawWorkbook:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises several unrelated error types
        raise _corrupt(path) from exc
    sheets = []
    for index in range(book.nsheets):
        worksheet = book.sheet_by_index(index)
        if sheet is not None and worksheet.name != sheet:
            continue
        sheets.append(_xls_sheet(book, worksheet, index))
    active = next(
        (i for i in range(book.nsheets) if book.sheet_by_index(i).sheet_selected), 0
    )
    return RawWorkbook(path, "xls", sheets, active_index=active)


def _xls_sheet(book, worksheet, index: int) -> RawSheet:
    import xlrd

    states = {0: "visible", 1: "hidden", 2: "veryHidden"}
    rows = []
    for row_index in range(worksheet.nrows):
        values = []
        for column, cell in enumerate(worksheet.row(row_index)):
            values.append(_xls_value(book, worksheet, row_index, column, cell, xlrd))
        rows.append(values)
    raw = RawSheet(
        name=worksheet.name,
        index=index,
        state=states.get(worksheet.visibility, "visible"),
        rows=rows,
        merged=[(r1, c1, r2 - 1, c2 - 1) for r1, r2, c1, c2 in worksheet.merged_cells],
        hidden_rows={r for r, info in worksheet.rowinfo_map.items() if info.hidden},
        hidden_columns={c for c, info in worksheet.colinfo_map.items() if info.hidden},
    )
    _fill_merged(raw)
    return raw


def _xls_value(book, worksheet, row: int, column: int, cell, xlrd):
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_TEXT:
        return cell.value or None
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return None
    xf = book.xf_list[worksheet.cell_xf_index(row, column)]
    number_format = book.format_map[xf.format_key].format_str
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        except (ValueError, OverflowError):
            return cell.value
    padded = apply_zero_format(cell.value, number_format)
    if padded is not None:
        return padded
    return int(cell.value) if cell.value == int(cell.value) else cell.value


def _read_text_table(path: Path) -> RawWorkbook:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise NotARoster("binary content")
    text, encoding = decode_text(data)
    if text is None:
        raise NotARoster("not text in UTF-8 or GB18030")
    delimiter = _sniff_delimiter(text, path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [[_csv_value(value) for value in record] for record in reader]
    except csv.Error as exc:
        raise FileRejected(
            f"{path.name}：CSV 格式有误（{exc}），请检查引号是否成对。", path=str(path)
        ) from exc
    sheet = RawSheet(name=path.stem, index=0, rows=rows)
    return RawWorkbook(path, "csv", [sheet], encoding=encoding)


def decode_text(data: bytes) -> tuple[str | None, str | None]:
    """Decode bytes as UTF-8 (BOM or not), else GB18030; (None, None) if neither."""
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None, None


def _sniff_delimiter(text: str, path: Path) -> str:
    if path.suffix.lower() in (".tsv", ".tab"):
        return "\t"
    sample = text[:8192]
    first_line = sample.split("\n", 1)[0]
    counts = {sep: first_line.count(sep) for sep in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_value(value: str):
    # A leading apostrophe is how spreadsheet exports protect text that starts
    # like a formula ('=1+1); it is not part of the value.
    if value.startswith("'") and value[1:2] and value[1] in _ESCAPED_PREFIXES:
        value = value[1:]
    return value if value.strip() else None
