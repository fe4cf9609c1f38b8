"""Write the sample rosters: `python tools/build_samples.py [OUTPUT_DIR]`.

The five workbooks are laid out the way Jilin offices send rosters: a merged title
row, a 填报单位/填报日期 line, a 序号 column, two-level merged headers and a trailing
合计 or 填表说明 row. All companies, people, phone numbers and e-mail addresses are
invented. Institute names are real.

The output is byte-for-byte reproducible for a given openpyxl and zlib: the
workbook timestamps and the zip entry dates are fixed.
"""

import hashlib
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_rows import (  # noqa: E402
    ACHIEVEMENTS,
    ENTERPRISES,
    EXPERTS,
    INSTITUTES,
    TALENT_DEMANDS,
    TECH_DEMANDS,
)

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"
FIXED_TIME = datetime(2026, 3, 20, 9, 0, 0)

# Characters of a 统一社会信用代码 (GB 32100-2015): 0-9 and A-Z without I O S V Z.
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [pow(3, i, 31) for i in range(17)]
ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(name="黑体", size=16)
HEADER_FONT = Font(name="宋体", size=11, bold=True)
BODY_FONT = Font(name="宋体", size=10)


# ---------------------------------------------------------------- credit codes


def org_code_check(body: str) -> str:
    """Return the GB 11714 check character for the 8-character organisation code."""
    total = sum(int(ch, 36) * w for ch, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
    remainder = 11 - total % 11
    if remainder == 10:
        return "X"
    if remainder == 11:
        return "0"
    return str(remainder)


def credit_check(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters."""
    total = sum(
        CREDIT_CHARSET.index(ch) * w
        for ch, w in zip(first17, CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def make_credit_code(name: str, authority: str, new_style: bool) -> str:
    """Build a well-formed invented credit code, derived from the company name.

    Companies registered after 2015 get an organisation code starting with MA. Older
    ones get eight digits, because their old 组织机构代码 was carried over.
    """
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    if new_style:
        tail = "".join(CREDIT_CHARSET[b % 31] for b in digest[:6])
        body = "MA" + tail
    else:
        body = "".join(str(b % 10) for b in digest[:8])
    first17 = "91" + authority + body + org_code_check(body)
    return first17 + credit_check(first17)


def spoil_check_character(code: str) -> str:
    """Return the code with its check character replaced by the next valid one."""
    wrong = CREDIT_CHARSET[(CREDIT_CHARSET.index(code[-1]) + 1) % 31]
    return code[:-1] + wrong


# ---------------------------------------------------------------- sheet layout


@dataclass
class Column:
    """One table column: its header text, an optional parent header, and width."""

    title: str
    width: float
    parent: str | None = None
    wrap: bool = False
    center: bool = False


@dataclass
class SheetSpec:
    """Everything needed to write one roster sheet."""

    name: str
    title: str
    filing_line: str
    columns: list[Column]
    rows: list[list]
    footer_rows: list[list] = field(default_factory=list)
    # Columns (first, last) merged in each footer row, or None to leave the cells apart.
    footer_merge: tuple[int, int] | None = None


def write_header(ws, columns: list[Column], top: int) -> None:
    """Write a two-row header, where a column without a parent spans both rows."""
    index = 0
    while index < len(columns):
        column = columns[index]
        col = index + 1

        if column.parent is None:
            ws.cell(top, col, column.title)
            ws.merge_cells(
                start_row=top, start_column=col, end_row=top + 1, end_column=col
            )
            index += 1
            continue

        span = 1
        while (
            index + span < len(columns)
            and columns[index + span].parent == column.parent
        ):
            span += 1
        ws.cell(top, col, column.parent)
        ws.merge_cells(
            start_row=top, start_column=col, end_row=top, end_column=col + span - 1
        )
        for offset in range(span):
            ws.cell(top + 1, col + offset, columns[index + offset].title)
        index += span

    for row in (top, top + 1):
        ws.row_dimensions[row].height = 22
        for col in range(1, len(columns) + 1):
            cell = ws.cell(row, col)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.border = BORDER
            cell.alignment = Alignment(
                horizontal="center", vertical="center", wrap_text=True
            )


def estimate_lines(text, width: float) -> int:
    """Estimate the wrapped line count of a cell, counting CJK characters as 2 units."""
    if text is None:
        return 1
    units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))
    return max(1, -(-units // max(int(width) - 1, 1)))


def write_body(ws, columns: list[Column], rows: list[list], first_row: int) -> None:
    """Write the data rows with borders, wrapping and a row height to fit the text."""
    for offset, values in enumerate(rows):
        row = first_row + offset
        lines = 1
        for col, (column, value) in enumerate(
            zip(columns, values, strict=True), start=1
        ):
            cell = ws.cell(row, col, value)
            cell.font = BODY_FONT
            cell.border = BORDER
            horizontal = "center" if column.center else "left"
            cell.alignment = Alignment(
                horizontal=horizontal, vertical="center", wrap_text=column.wrap
            )
            if column.wrap:
                lines = max(lines, estimate_lines(value, column.width))
        ws.row_dimensions[row].height = max(18, 14 * lines)


def write_footer(ws, spec: SheetSpec, first_row: int) -> None:
    """Write the 合计 or 填表说明 rows under the table."""
    for offset, values in enumerate(spec.footer_rows):
        row = first_row + offset
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col, value)
            cell.font = BODY_FONT
            cell.border = BORDER
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        if spec.footer_merge:
            first, last = spec.footer_merge
            ws.merge_cells(
                start_row=row, start_column=first, end_row=row, end_column=last
            )
            ws.row_dimensions[row].height = 30


def write_sheet(ws, spec: SheetSpec) -> None:
    """Lay out one sheet: title, filing line, header, body, footer and print setup."""
    ws.title = spec.name
    last_col = len(spec.columns)

    ws.cell(1, 1, spec.title).font = TITLE_FONT
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    ws.row_dimensions[1].height = 32

    ws.cell(2, 1, spec.filing_line).font = BODY_FONT
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last_col)

    write_header(ws, spec.columns, top=3)
    write_body(ws, spec.columns, spec.rows, first_row=5)
    write_footer(ws, spec, first_row=5 + len(spec.rows))

    for col, column in enumerate(spec.columns, start=1):
        ws.column_dimensions[get_column_letter(col)].width = column.width
    ws.freeze_panes = "C5"
    ws.print_title_rows = "1:4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"


def save_reproducibly(wb: Workbook, path: Path) -> None:
    """Save the workbook with fixed document and zip timestamps."""
    wb.properties.creator = "kjd"
    wb.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)

    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    b"\\g<1>" + stamp.encode() + b"\\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)


def write_workbook(path: Path, specs: list[SheetSpec]) -> None:
    wb = Workbook()
    write_sheet(wb.active, specs[0])
    for spec in specs[1:]:
        write_sheet(wb.create_sheet(), spec)
    save_reproducibly(wb, path)


def filing_line(unit: str, date: str) -> str:
    """Return the line under the title that names the filing unit and date."""
    return f"填报单位：{unit}　　　　填报日期：{date}"


def numbered(rows: list[tuple]) -> list[list]:
    """Prefix each row with its 序号 (1, 2, 3 …)."""
    return [[index, *row] for index, row in enumerate(rows, start=1)]


# ---------------------------------------------------------------- the five rosters


def institutes_spec() -> SheetSpec:
    columns = [
        Column("序号", 6, center=True),
        Column("单位名称", 34, wrap=True),
        Column("简称", 16, wrap=True),
        Column("单位类型", 12, center=True),
        Column("所在城市", 10, center=True),
        Column("单位简介", 60, wrap=True),
        Column("姓名", 10, parent="联系人", center=True),
        Column("联系电话", 15, parent="联系人", center=True),
        Column("电子邮箱", 24, parent="联系人"),
    ]
    return SheetSpec(
        name="高校院所名录",
        title="2026年吉林省科技对接活动高校院所名录",
        filing_line=filing_line("吉林省科技对接活动组委会办公室", "2026年3月10日"),
        columns=columns,
        rows=numbered(INSTITUTES),
    )


def experts_spec() -> SheetSpec:
    columns = [
        Column("序号", 6, center=True),
        Column("专家编号", 10, center=True),
        Column("姓名", 10, center=True),
        Column("性别", 6, center=True),
        Column("工作单位", 30, wrap=True),
        Column("所在院系", 20, wrap=True),
        Column("职称", 12, center=True),
        Column("研究方向", 50, wrap=True),
        Column("联系电话", 15, parent="联系方式", center=True),
        Column("电子邮箱", 26, parent="联系方式"),
    ]
    return SheetSpec(
        name="专家名单",
        title="2026年吉林省科技对接活动入库专家名单",
        filing_line=filing_line("吉林省科技对接活动组委会办公室", "2026年3月12日"),
        columns=columns,
        rows=numbered(EXPERTS),
    )


def achievements_spec() -> SheetSpec:
    columns = [
        Column("序号", 6, center=True),
        Column("成果编号", 10, center=True),
        Column("成果名称", 30, wrap=True),
        Column("完成单位", 26, wrap=True),
        Column("成果负责人", 10, center=True),
        Column("技术领域", 14, wrap=True),
        Column("成果简介", 70, wrap=True),
        Column("成熟度", 10, center=True),
        Column("合作方式", 16, wrap=True),
        Column("知识产权情况", 20, wrap=True),
        Column("姓名", 10, parent="联系人", center=True),
        Column("联系电话", 15, parent="联系人", center=True),
    ]
    note = (
        "填表说明：1.成熟度填写研发阶段、小试、中试、试生产或产业化；"
        "2.合作方式可填写多项，用“、”分隔；3.完成单位可填写通用简称，"
        "多个单位用“、”分隔，第一完成单位在前。"
    )
    return SheetSpec(
        name="可转化成果",
        title="2026年吉林省高校院所可转化科技成果汇总表",
        filing_line=filing_line("吉林省科技对接活动组委会办公室", "2026年3月15日"),
        columns=columns,
        rows=numbered(ACHIEVEMENTS),
        footer_rows=[[note] + [None] * (len(columns) - 1)],
        footer_merge=(1, len(columns)),
    )


def enterprises_spec() -> SheetSpec:
    columns = [
        Column("序号", 6, center=True),
        Column("企业名称", 32, wrap=True),
        Column("统一社会信用代码", 22, center=True),
        Column("市（州）", 10, parent="所在地区", center=True),
        Column("县（市、区）", 12, parent="所在地区", center=True),
        Column("所属行业", 14, center=True),
        Column("企业规模", 10, center=True),
        Column("主营产品", 40, wrap=True),
        Column("姓名", 10, parent="联系人", center=True),
        Column("联系电话", 15, parent="联系人", center=True),
    ]
    rows = []
    for (
        name,
        authority,
        new_style,
        city,
        county,
        industry,
        scale,
        products,
        contact,
        phone,
    ) in ENTERPRISES:
        code = make_credit_code(name, authority, new_style)
        if name == "辽源市鑫达袜业有限公司":
            # Real rosters contain typos, so this code gets a wrong check character.
            code = spoil_check_character(code)
        rows.append(
            (name, code, city, county, industry, scale, products, contact, phone)
        )
    return SheetSpec(
        name="企业名录",
        title="2026年吉林省科技对接活动参会企业名录",
        filing_line=filing_line("各市（州）科技局汇总", "2026年3月18日"),
        columns=columns,
        rows=numbered(rows),
    )


def budget_in_wan(value) -> float:
    """Return a 拟投入资金 cell in 万元 for the 合计 row, with 面议 and blanks as 0."""
    if isinstance(value, int | float):
        return value
    digits = re.match(r"[0-9.]+", str(value or ""))
    return float(digits.group()) if digits else 0


def tech_demands_spec() -> SheetSpec:
    columns = [
        Column("序号", 6, center=True),
        Column("需求编号", 10, center=True),
        Column("需求名称", 28, wrap=True),
        Column("需求单位", 28, wrap=True),
        Column("所在地区", 16, wrap=True),
        Column("所属领域", 12, wrap=True),
        Column("需求描述", 70, wrap=True),
        Column("需求类型", 12, center=True),
        Column("合作方式", 12, center=True),
        Column("拟投入资金（万元）", 12, center=True),
        Column("需求截止日期", 14, center=True),
        Column("姓名", 10, parent="联系人", center=True),
        Column("联系电话", 15, parent="联系人", center=True),
    ]
    total = ["合计", f"{len(TECH_DEMANDS)}项"] + [None] * 7
    total += [sum(budget_in_wan(row[8]) for row in TECH_DEMANDS), None, None, None]
    return SheetSpec(
        name="技术需求",
        title="2026年吉林省企业技术需求汇总表",
        filing_line=filing_line("各市（州）科技局汇总", "2026年3月18日"),
        columns=columns,
        rows=numbered(TECH_DEMANDS),
        footer_rows=[total],
    )


def talent_demands_spec() -> SheetSpec:
    columns = [
        Column("序号", 6, center=True),
        Column("需求编号", 10, center=True),
        Column("需求名称", 22, wrap=True),
        Column("需求单位", 28, wrap=True),
        Column("所在地区", 16, wrap=True),
        Column("学科/专业", 18, wrap=True),
        Column("学历", 10, center=True),
        Column("人数", 6, center=True),
        Column("需求描述", 60, wrap=True),
        Column("需求类型", 10, center=True),
        Column("合作方式", 12, center=True),
        Column("薪酬待遇", 20, wrap=True),
        Column("姓名", 10, parent="联系人", center=True),
        Column("联系电话", 15, parent="联系人", center=True),
    ]
    return SheetSpec(
        name="人才需求",
        title="2026年吉林省企业人才需求汇总表",
        filing_line=filing_line("各市（州）科技局汇总", "2026年3月18日"),
        columns=columns,
        rows=numbered(TALENT_DEMANDS),
    )


def build_all(output_dir: Path) -> list[Path]:
    """Write the five sample workbooks into output_dir and return their paths."""
    workbooks = {
        "高校院所名录.xlsx": [institutes_spec()],
        "专家名单.xlsx": [experts_spec()],
        "科技成果汇总表.xlsx": [achievements_spec()],
        "企业名录.xlsx": [enterprises_spec()],
        "企业需求汇总表.xlsx": [tech_demands_spec(), talent_demands_spec()],
    }
    paths = []
    for file_name, specs in workbooks.items():
        path = output_dir / file_name
        write_workbook(path, specs)
        paths.append(path)
    return paths


def main() -> None:
    output_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT_DIR
    output_dir.mkdir(parents=True, exist_ok=True)
    for path in build_all(output_dir):
        print(path)  # noqa: T201


if __name__ == "__main__":
    main()
