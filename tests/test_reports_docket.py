"""The 对接清单: rows of the query, filters, masking, print setup, safe cells."""

import json

import openpyxl
import pytest

from kjd.errors import NotFound, OutputExists, UsageError
from kjd.reports.docket import DocketFilter, build_docket, summarize, write_docket
from tests.reports_data import build_database

HEADERS = [
    "序号",
    "企业名称",
    "所在地",
    "需求名称",
    "需求摘要",
    "推荐成果/专家",
    "依托单位",
    "匹配度",
    "匹配依据",
    "对接状态",
    "联系人",
    "联系电话",
]


@pytest.fixture
def db(tmp_path):
    return build_database(tmp_path / "kjd.db")


def data_rows(sheet) -> list[dict]:
    """Return the numbered rows under the header as dicts keyed by header."""
    headers = [cell.value for cell in sheet[3]]
    rows = []
    for values in sheet.iter_rows(min_row=4, values_only=True):
        if isinstance(values[0], int):
            rows.append(dict(zip(headers, values, strict=True)))
    return rows


def pair_keys(db, statuses) -> set[tuple]:
    marks = ", ".join("?" for _ in statuses)
    sql = (
        "SELECT demand_id, target_type, target_id FROM matches "
        f"WHERE status IN ({marks})"
    )
    return {tuple(row) for row in db.execute(sql, list(statuses)).fetchall()}


def test_docket_lists_every_current_pair(db, tmp_path):
    path = tmp_path / "清单.xlsx"
    result = write_docket(db, path)

    sheet = openpyxl.load_workbook(path)["对接清单"]
    rows = data_rows(sheet)
    assert result.rows == len(pair_keys(db, ("accepted", "proposed"))) == 6
    assert [row["序号"] for row in rows] == [1, 2, 3, 4, 5, 6]
    assert [cell.value for cell in sheet[3]] == HEADERS
    targets = {(row["需求名称"], row["推荐成果/专家"]) for row in rows}
    assert ("-40℃低温冷启动技术", "成果：铝合金压铸件气孔控制技术") in targets
    assert ("人参深加工", "专家：专家003（教授）") in targets
    assert ("被否决的需求", "成果：铝合金压铸件气孔控制技术") not in targets
    assert "成果：未关联单位的成果" not in {row["推荐成果/专家"] for row in rows}


def test_docket_row_content(db, tmp_path):
    path = tmp_path / "清单.xlsx"
    write_docket(db, path)

    first = data_rows(openpyxl.load_workbook(path)["对接清单"])[0]
    assert first["企业名称"] == "长春德茂汽车零部件有限公司"
    assert first["所在地"] == "长春市朝阳区"
    assert first["需求摘要"] == "低温环境下发动机快速冷启动，需要解决压铸件气孔问题。"
    assert first["依托单位"] == "吉林大学"
    assert first["匹配度"] == 86.4
    assert first["匹配依据"] == "共同关键词：压铸件、气孔；同属先进制造领域；同在长春市"
    assert first["对接状态"] == "已确认"
    assert first["联系人"] == "张三"


def basis_by_pair(db) -> dict[tuple, str]:
    rows = build_docket(db).sheets[0].rows
    return {row["_pair"]: row["basis"] for row in rows}


def test_docket_basis_from_score_parts(db):
    set_parts = "UPDATE matches SET parts = ? WHERE id = ?"
    db.execute(set_parts, [json.dumps({"field": 0.0, "region": 5.0}), 3])
    db.execute(set_parts, ["不是 JSON", 4])
    db.conn.commit()

    basis = basis_by_pair(db)
    # Different cities, but the matcher gave region points.
    assert basis[(2, "project", 2)] == "共同关键词：材料；同属新材料领域；地域相近"
    # Parts that are not valid JSON add nothing to the basis.
    assert basis[(2, "institute", 2)] == ""


def test_docket_basis_field_points(db):
    basis = basis_by_pair(db)

    # An institute has no field of its own: the matcher's field points count.
    assert basis[(2, "institute", 2)] == "领域一致"
    assert basis[(3, "expert", 3)] == "同属生物医药领域"


def test_docket_groups_by_field(db, tmp_path):
    path = tmp_path / "清单.xlsx"
    write_docket(db, path)

    sheet = openpyxl.load_workbook(path)["对接清单"]
    headings = [
        row[0]
        for row in sheet.iter_rows(min_row=4, values_only=True)
        if isinstance(row[0], str) and "、" in row[0]
    ]
    assert headings[:3] == [
        "一、先进制造（2 条）",
        "二、新材料（2 条）",
        "三、生物医药（2 条）",
    ]


def test_docket_phones_masked_by_default(db, tmp_path):
    path = tmp_path / "清单.xlsx"
    write_docket(db, path)

    workbook = openpyxl.load_workbook(path)
    phones = [row["联系电话"] for row in data_rows(workbook["对接清单"])]
    assert phones[0] == "138****0001\nz***@example.com"
    assert "0431-****0000" in phones
    everything = " ".join(
        str(value)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    assert "13800000001" not in everything
    assert "85000000" not in everything
    assert "zhangsan@" not in everything


def test_docket_show_contacts_in_full(db, tmp_path):
    path = tmp_path / "清单.xlsx"
    write_docket(db, path, show_contacts=True)

    phones = [
        row["联系电话"] for row in data_rows(openpyxl.load_workbook(path)["对接清单"])
    ]
    assert phones[0] == "13800000001\nzhangsan@example.com"
    assert "0431-85000000" in phones


def test_docket_formula_text_stays_text(db, tmp_path):
    path = tmp_path / "清单.xlsx"
    write_docket(db, path)

    workbook = openpyxl.load_workbook(path)
    titles = [row["需求名称"] for row in data_rows(workbook["对接清单"])]
    assert '=HYPERLINK("http://example.invalid/x","点击查看详情")' in titles
    assert "-40℃低温冷启动技术" in titles
    formulas = [
        cell.coordinate
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []


def test_docket_print_setup(db, tmp_path):
    path = tmp_path / "清单.xlsx"
    write_docket(db, path)

    for sheet in openpyxl.load_workbook(path):
        assert sheet.print_title_rows == "$1:$3"
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
        assert sheet.freeze_panes == "A4"
        assert sheet["A1"].font.name == "黑体"


def test_docket_cjk_widths(db, tmp_path):
    path = tmp_path / "清单.xlsx"
    write_docket(db, path)

    sheet = openpyxl.load_workbook(path)["对接清单"]
    dimensions = sheet.column_dimensions
    total = sum(d.width * (d.max - d.min + 1) for d in dimensions.values() if d.min)
    assert dimensions["A"].width == pytest.approx(6.7, abs=0.1)
    assert dimensions["H"].width == pytest.approx(7.7, abs=0.1)
    # The wrapped columns are narrowed to fit landscape A4: about 160 width units
    # plus XlsxWriter's 0.71 padding per column.
    assert total == pytest.approx(160 + 12 * 0.71, abs=1)
    # 长春德茂汽车零部件有限公司 is 26 width units: it wraps, and its row is
    # tall enough for every line.
    width = dimensions["B"].width
    assert 10 <= width < 26
    first_row = next(
        row[0].row for row in sheet.iter_rows(min_row=4) if row[0].value == 1
    )
    lines = -(-26 // int(width - 1))
    assert sheet.row_dimensions[first_row].height >= lines * 13.5


def test_unmatched_sheet(db, tmp_path):
    path = tmp_path / "清单.xlsx"
    write_docket(db, path)

    rows = data_rows(openpyxl.load_workbook(path)["未匹配需求"])
    assert [(row["需求名称"], row["原因"]) for row in rows] == [
        ("被否决的需求", "推荐均已否决"),
        ("冷链物流保鲜", "暂无推荐"),
    ]
    assert rows[1]["技术领域"] == "农产品加工"


@pytest.mark.parametrize(
    ("docket_filter", "expected"),
    [
        (DocketFilter(status="accepted"), {1, 4, 5}),
        (DocketFilter(status="proposed"), {2, 3, 6}),
        (DocketFilter(field="材料"), {3, 4}),
        (DocketFilter(region="长春市"), {1, 2}),
        (DocketFilter(region="延边州"), {5, 6}),
        (DocketFilter(institute="应用化学"), {3, 4}),
        (DocketFilter(institute="吉大"), {1, 2}),
        (DocketFilter(institute="某团队"), {6}),
        (DocketFilter(field="先进制造", status="proposed"), {2}),
        (DocketFilter(field="100%"), set()),
    ],
)
def test_docket_filters(db, docket_filter, expected):
    report = build_docket(db, docket_filter)

    match_ids = {
        (row[1], row[2], row[3]): row[0]
        for row in db.execute(
            "SELECT id, demand_id, target_type, target_id FROM matches"
        ).fetchall()
    }
    listed = {match_ids[row["_pair"]] for row in report.sheets[0].rows}
    assert listed == expected


def test_event_docket(db, tmp_path):
    path = tmp_path / "会议.xlsx"
    result = write_docket(db, path, event_id=1, group_by="none")

    sheet = openpyxl.load_workbook(path)["对接清单"]
    rows = data_rows(sheet)
    assert result.rows == 2
    assert sheet["A1"].value == "2025 吉林省科技成果对接会对接清单"
    assert "活动名称：2025 吉林省科技成果对接会" in sheet["A2"].value
    assert "时间：2025年3月18日" in sheet["A2"].value
    assert "地点：长春国际会展中心" in sheet["A2"].value
    assert "主办单位：吉林省科学技术厅、吉林省工业和信息化厅" in sheet["A2"].value
    assert [(row["时间"], row["桌号"], row["需求名称"]) for row in rows] == [
        ("09:30", "3", "-40℃低温冷启动技术"),
        ("10:00", "5", "人参深加工"),
    ]


def test_event_docket_status_filter(db):
    accepted = build_docket(db, DocketFilter(event_id=1, status="accepted"))
    proposed = build_docket(db, DocketFilter(event_id=1, status="proposed"))

    assert [row["_pair"] for row in accepted.sheets[0].rows] == [
        (1, "project", 1),
        (3, "project", 3),
    ]
    assert proposed.sheets[0].rows == []


def test_event_docket_meeting_without_match(db):
    meeting = {"event_id": 1, "demand_id": 2, "target_type": "expert"}
    db["meetings"].insert({**meeting, "target_id": 2, "slot": "11:00"})

    rows = build_docket(db, DocketFilter(event_id=1)).sheets[0].rows
    added = [row for row in rows if row["_pair"] == (2, "expert", 2)]
    assert len(added) == 1
    assert added[0]["status"] == "已安排"
    assert added[0]["score"] is None
    assert added[0]["basis"] == "同属新材料领域"
    assert added[0]["slot"] == "11:00"


def test_event_not_found(db):
    with pytest.raises(NotFound) as caught:
        build_docket(db, DocketFilter(event_id=99))
    assert caught.value.message == "数据库中没有编号为 99 的对接活动。"


def test_invalid_status_rejected(db):
    with pytest.raises(UsageError):
        build_docket(db, DocketFilter(status="rejected"))


def test_docket_refuses_overwrite(db, tmp_path):
    path = tmp_path / "清单.xlsx"
    write_docket(db, path)

    with pytest.raises(OutputExists):
        write_docket(db, path)
    write_docket(db, path, force=True)


def test_summarize_cuts_long_text():
    text = "　　第一段。\n" + "长" * 200
    summary = summarize(text, length=20)
    assert summary == "第一段。" + "长" * 15 + "…"
    assert len(summary) == 20
