"""Write legacy_roster.xls, the .xls fixture of the importer tests.

Needs xlwt, which kjd itself does not use: pip install --target DIR xlwt, then
PYTHONPATH=DIR python tests/data/make_legacy_xls.py. The names and numbers are
invented.
"""

from pathlib import Path

import xlwt

HERE = Path(__file__).resolve().parent


def main() -> None:
    book = xlwt.Workbook(encoding="utf-8")
    options = book.add_sheet("下拉选项")
    options.write(0, 0, "先进制造")
    options.visibility = 1
    sheet = book.add_sheet("成果汇总")
    sheet.write_merge(0, 0, 0, 5, "2023年高校院所科技成果汇总表")
    sheet.write(1, 0, "填报单位：某大学科技处")
    sheet.write(1, 4, "填报日期：2023.11")
    sheet.write_merge(2, 3, 0, 0, "序号")
    sheet.write_merge(2, 3, 1, 1, "成果名称")
    sheet.write_merge(2, 3, 2, 2, "依托单位")
    sheet.write_merge(2, 2, 3, 4, "联系人")
    sheet.write(3, 3, "姓名")
    sheet.write(3, 4, "手机")
    sheet.write_merge(2, 3, 5, 5, "邮编")
    postcode = xlwt.easyxf(num_format_str="000000")
    rows = [
        (1, "高强钢激光拼焊", "吉林德茂大学", "联系人A", 13800000031, 14000),
        (2, "铝合金半固态成形", None, "联系人B", 13800000032, 130012),
        (3, "旧成果（已作废）", "吉林德茂大学", "联系人C", 13800000033, 130012),
        (4, "红外镜头无热化", "长春恒昌光电研究所", None, None, 130033),
    ]
    for index, row in enumerate(rows):
        for column, value in enumerate(row):
            if column == 2 and index == 0:
                continue
            if value is None or (column == 2 and index == 1):
                continue
            style = postcode if column == 5 else xlwt.Style.default_style
            sheet.write(4 + index, column, value, style)
    sheet.write_merge(4, 5, 2, 2, "吉林德茂大学")
    sheet.row(6).hidden = True
    sheet.write(8, 0, "合计：3项")
    sheet.write(9, 0, "以下空白")
    book.active_sheet = 1
    book.save(str(HERE / "legacy_roster.xls"))


if __name__ == "__main__":
    main()
