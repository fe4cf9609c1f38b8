"""Read the units named in one roster cell such as 完成单位 or 依托单位.

A cell may name several co-completers (郑州大学、河南工业大学), a unit with a
department or team (吉林大学（专家003团队）, 上海交通大学轻合金精密成型研究中心),
partners in brackets (中国科学院宁波材料技术与工程研究所（与某公司合作）) or a
short name in brackets (中国科学院上海高等研究院（高研院）). `split_cell` returns
one `CellUnit` per organisation, with the names under which to look it up.
"""

import re
from dataclasses import dataclass, field

from kjd.match.orgnames import folded_key, to_simplified
from kjd.match.orgwords import region_names, words
from kjd.normalize import remove_spaces

_OPEN = "(（[【〔〖［"
_CLOSE = ")）]】〕〗］"
_SEPARATORS = "、；;/／\n|｜"
_COMMAS = ",，"
_CJK = re.compile(r"[\u3400-\u9fff]")
_CONJUNCTION = re.compile(r"以及|联合|和|与|及|同")
_TRAILING_ETC = re.compile(
    r"等(?:[0-9一二三四五六七八九十几多数]+)?(?:家|个|所)?(?:单位|机构|院所|高校|企业)?$"
)
_PARTNER_OPENING = re.compile(r"^(?:联合|与|和|同|会同)")
_PARTNER_CLOSING = re.compile(r"(?:共同)?(?:合作|联合)?(?:研发|研制|完成|开发)?$")
_QUOTES = re.compile(r"[\"'“”‘’「」『』《》]")
_MARKER = "\x00"
# What may follow a trailing bracket: punctuation and the English ", CAS".
_TRAILING_QUALIFIER = re.compile(r"[\W_]+|chinese academy of sciences|cas")
# Where an organisation body can end and a department begin.
_BODY_ENDINGS = ("大学", "学院", "研究院", "研究所", "科学院", "分院", "所")
_ORG_ENDINGS = _BODY_ENDINGS + ("院", "集团", "公司", "中心", "厂", "站", "台")


@dataclass
class CellUnit:
    """One organisation named in a cell.

    `text` is the unit as written, without bracket notes. `names` are the
    spellings to look it up by, best first: the whole text, short names found
    in brackets, then the body without its department (吉林大学 for
    吉林大学化学学院). `body` is the name to create when nothing matches.
    `department_only` marks a bare department (环境学院) that belongs to the
    unit before it in the same cell.
    """

    text: str
    body: str
    names: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    department_only: bool = False
    vague: bool = False


def split_cell(cell: str | None) -> list[CellUnit]:
    """Return the units named in a cell, in the order they appear."""
    text = _clean(cell)
    if not text:
        return []
    units: list[CellUnit] = []
    for part in _split_top_level(text):
        for piece in _split_conjunctions(_TRAILING_ETC.sub("", part).strip()):
            units.extend(_read_unit(piece))
    return [unit for unit in units if unit.text]


def read_whole_name(name: str | None) -> CellUnit:
    """Return the unit for a cell that names exactly one organisation."""
    text = _clean(name)
    return CellUnit(text=text, body=text, names=[text] if text else [])


def _clean(cell: str | None) -> str:
    if cell is None:
        return ""
    text = str(cell).replace("\r", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


def _split_top_level(text: str) -> list[str]:
    """Split on unit separators that are outside brackets."""
    parts: list[str] = []
    depth = 0
    current = ""
    for position, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        at_top = depth == 0
        if at_top and (ch in _SEPARATORS or _is_unit_comma(text, position)):
            parts.append(current)
            current = ""
            continue
        current += ch
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def _is_unit_comma(text: str, position: int) -> bool:
    """A comma separates units in Chinese text, not inside an English name."""
    if text[position] not in _COMMAS:
        return False
    before = text[:position]
    after = text[position + 1 :]
    return bool(_CJK.search(before[-12:]) and _CJK.search(after[:12]))


def _split_conjunctions(text: str) -> list[str]:
    """Split 中南大学和长春应用化学研究所 into two, but not 地理科学与资源研究所."""
    pieces: list[str] = []
    start = 0
    for match in _CONJUNCTION.finditer(text):
        left = text[start : match.start()].strip()
        right = text[match.end() :].strip()
        if (
            _depth_at(text, match.start()) == 0
            and _ends_like_org(left)
            and len(right) >= 2
        ):
            pieces.append(left)
            start = match.end()
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


def _depth_at(text: str, position: int) -> int:
    depth = 0
    for ch in text[:position]:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
    return depth


def _ends_like_org(text: str) -> bool:
    simplified = to_simplified(remove_spaces(text))
    return len(simplified) >= 3 and simplified.endswith(_ORG_ENDINGS)


def _read_unit(piece: str) -> list[CellUnit]:
    main, groups = _take_brackets(piece)
    unit = CellUnit(text="", body="")
    partners: list[CellUnit] = []
    for content, trailing in groups:
        folded_in = ""
        if _is_partner_note(content):
            for name in _partner_names(content):
                partners.extend(_read_unit(name))
        elif trailing and _is_note(content):
            unit.notes.append(content)
        elif trailing:
            unit.names.append(content)
        else:
            folded_in = content
        main = main.replace(_MARKER, folded_in, 1)
    unit.text = unit.body = _QUOTES.sub("", main).strip()
    _add_body_names(unit)
    unit.vague = any(word in folded_key(unit.text) for word in words("vague"))
    unit.department_only = _is_bare_department(unit.text)
    return [unit, *partners]


def _take_brackets(piece: str) -> tuple[str, list[tuple[str, bool]]]:
    """Replace top-level bracket groups by a marker.

    Returns the text with markers and, per group, its content and whether it
    ends the unit (a trailing note or short name, not a part of the name).
    """
    main = ""
    groups: list[str] = []
    depth = 0
    content = ""
    for ch in piece:
        if ch in _OPEN:
            if depth > 0:
                content += ch
            depth += 1
        elif ch in _CLOSE and depth > 0:
            depth -= 1
            if depth == 0:
                groups.append(content.strip())
                main += _MARKER
                content = ""
            else:
                content += ch
        elif depth > 0:
            content += ch
        else:
            main += ch
    main += content
    segments = main.split(_MARKER)
    ordered = []
    for index, group in enumerate(groups):
        rest = "".join(segments[index + 1 :]).lower()
        ordered.append((group, not _TRAILING_QUALIFIER.sub("", rest)))
    return main, ordered


def _is_partner_note(content: str) -> bool:
    simplified = to_simplified(content)
    return bool(_PARTNER_OPENING.search(simplified)) or simplified.endswith(
        ("合作", "等", "联合研发", "共同研发")
    )


def _partner_names(content: str) -> list[str]:
    simplified = to_simplified(content)
    opening = _PARTNER_OPENING.search(simplified)
    if opening:
        content = content[opening.end() :]
    content = _PARTNER_CLOSING.sub("", content.strip())
    content = _TRAILING_ETC.sub("", content.strip())
    names: list[str] = []
    for part in _split_top_level(content):
        names.extend(_split_conjunctions(_TRAILING_ETC.sub("", part).strip()))
    return [name for name in names if len(name) >= 2]


def _is_note(content: str) -> bool:
    """A bracket note about people, a team or a site, not another name."""
    simplified = to_simplified(content)
    if re.search(r"\d", simplified):
        return True
    markers = words("person") + words("department")
    return any(word in simplified for word in markers)


def _add_body_names(unit: CellUnit) -> None:
    text = remove_spaces(unit.text) if _CJK.search(unit.text) else unit.text
    simplified = to_simplified(text)
    aligned = len(simplified) == len(text)
    bodies = []
    for end in _body_ends(simplified):
        body = text[:end] if aligned else simplified[:end]
        bodies.append(body)
    names = [unit.text, *unit.names, *reversed(bodies)]
    unit.names = list(dict.fromkeys(name for name in names if name))
    if bodies:
        unit.body = bodies[0]


def _body_ends(simplified: str) -> list[int]:
    """Positions where a body name can end, with a department after it."""
    ends = []
    parents = set(words("parent")) | {"中科院"}
    for ending in _BODY_ENDINGS:
        for match in re.finditer(re.escape(ending), simplified):
            end = match.end()
            head = simplified[:end]
            rest = _QUOTES.sub("", simplified[end:])
            if head in parents or len(head) < 4 or not rest:
                continue
            if _is_institute_under_academy(head, rest):
                continue
            if _is_department(rest):
                ends.append(end)
    return sorted(set(ends))


def _is_institute_under_academy(head: str, rest: str) -> bool:
    """军事科学院 + 系统工程研究院: an institute of an academy is a body itself."""
    return head.endswith(("科学院", "研究院", "分院")) and rest.endswith(
        ("研究所", "研究院")
    )


def _is_department(rest: str) -> bool:
    endings = words("department") + words("person")
    return rest.endswith(endings) or any(word in rest for word in words("person"))


def _is_bare_department(text: str) -> bool:
    """环境学院 or 材料科学与工程系: a department with no body before it."""
    simplified = to_simplified(remove_spaces(text))
    if not simplified or len(simplified) > 12 or not _is_department(simplified):
        return False
    if "大学" in simplified or any(name in simplified for name in region_names()):
        return False
    return not simplified.endswith(("研究所", "研究院"))
