"""What calamine does not report about an xlsx: sheet states, hidden rows, formats.

A full XML parse of a 100,000-row sheet costs more than reading its values, so
the sheet XML is scanned as bytes for the few attributes kjd needs: `hidden` on
<row> and <col>, and the style index of cells whose number format pads with
zeros (a postcode 014000 stored as 14000 with format 000000). workbook.xml and
styles.xml are small and parsed with ElementTree.
"""

import re
import zipfile
from dataclasses import dataclass, field
from posixpath import join, normpath
from xml.etree import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ZERO_FORMAT = re.compile(r'^"?[0#]*0[0#]*"?$')
_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


class LayoutError(Exception):
    """workbook.xml, its relationships or a sheet part is missing or malformed."""


@dataclass
class SheetInfo:
    """Where a sheet's XML lives in the archive and whether it is hidden."""

    name: str
    part: str
    state: str


@dataclass
class Layout:
    """Sheets by name, the active sheet, and styles whose format pads with zeros."""

    sheets: dict[str, SheetInfo]
    active_index: int = 0
    zero_styles: dict[int, str] = field(default_factory=dict)


@dataclass
class SheetDetails:
    """0-based hidden rows and columns, and zero-padded formats by (row, column)."""

    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)
    zero_formats: dict[tuple[int, int], str] = field(default_factory=dict)


def read_layout(archive: zipfile.ZipFile) -> Layout:
    """Read sheet names, states, parts and the active tab from workbook.xml."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        targets = _relationship_targets(archive)
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError) as exc:
        raise LayoutError(str(exc)) from exc
    sheets = {}
    for element in workbook.iter(f"{_MAIN}sheet"):
        name = element.get("name", "")
        target = targets.get(element.get(f"{_REL}id", ""), "")
        state = element.get("state", "visible")
        sheets[name] = SheetInfo(name, target, state)
    active = 0
    view = workbook.find(f"{_MAIN}bookViews/{_MAIN}workbookView")
    if view is not None:
        active = int(view.get("activeTab", "0") or 0)
    return Layout(sheets, active, _zero_styles(archive))


def _relationship_targets(archive: zipfile.ZipFile) -> dict[str, str]:
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for element in rels.iter(f"{_PKG_REL}Relationship"):
        target = element.get("Target", "")
        if target.startswith("/"):
            part = target.lstrip("/")
        else:
            part = normpath(join("xl", target))
        targets[element.get("Id", "")] = part
    return targets


def _zero_styles(archive: zipfile.ZipFile) -> dict[int, str]:
    try:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except (KeyError, ElementTree.ParseError):
        return {}
    formats = {
        element.get("numFmtId"): element.get("formatCode", "")
        for element in styles.iter(f"{_MAIN}numFmt")
    }
    cell_xfs = styles.find(f"{_MAIN}cellXfs")
    if cell_xfs is None:
        return {}
    zero_styles = {}
    for index, xf in enumerate(cell_xfs.findall(f"{_MAIN}xf")):
        code = formats.get(xf.get("numFmtId", "0"), "")
        if code.count("0") > 1 and _ZERO_FORMAT.match(code):
            zero_styles[index] = code.strip('"')
    return zero_styles


def read_sheet_details(
    archive: zipfile.ZipFile, info: SheetInfo, layout: Layout
) -> SheetDetails:
    """Scan one sheet's XML for hidden rows and columns and zero-padded cells."""
    try:
        xml = archive.read(info.part)
    except (KeyError, zipfile.BadZipFile, OSError) as exc:
        raise LayoutError(f"{info.part}: {exc}") from exc
    details = SheetDetails()
    # one pass for hidden="1" and hidden="true"
    for tag, attributes in _tags_with(xml, b'hidden="'):
        if attributes.get("hidden") in ("1", "true"):
            _record_hidden(details, tag, attributes)
    for style, code in layout.zero_styles.items():
        for tag, attributes in _tags_with(xml, b' s="%d"' % style):
            cell = _CELL_REF.match(attributes.get("r", ""))
            if tag == "c" and cell:
                position = (int(cell.group(2)) - 1, column_index(cell.group(1)))
                details.zero_formats[position] = code
    return details


def _tags_with(xml: bytes, marker: bytes):
    start = xml.find(marker)
    while start != -1:
        tag_start = xml.rfind(b"<", 0, start)
        tag_end = xml.find(b">", start)
        chunk = xml[tag_start + 1 : tag_end]
        name = chunk.split(None, 1)[0].decode("ascii", "replace").split(":")[-1]
        attributes = {
            key.decode().split(":")[-1]: value.decode()
            for key, value in _ATTRIBUTE.findall(chunk)
        }
        yield name, attributes
        start = xml.find(marker, start + len(marker))


def _record_hidden(details: SheetDetails, tag: str, attributes: dict) -> None:
    if tag == "row" and attributes.get("r", "").isdigit():
        details.hidden_rows.add(int(attributes["r"]) - 1)
    elif tag == "col":
        first = int(attributes.get("min", "0") or 0)
        last = int(attributes.get("max", first) or first)
        # A <col> range reaching column XFD usually styles the rest of the sheet.
        for column in range(first, min(last, first + 256) + 1):
            details.hidden_columns.add(column - 1)


def column_index(letters: str) -> int:
    """Return the 0-based index of an Excel column: 'A' → 0, 'AB' → 27."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def column_letter(index: int) -> str:
    """Return the Excel letters of a 0-based column index: 0 → 'A', 27 → 'AB'."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
