"""Header titles → fields: the synonym table against real-form wordings."""

import json

import openpyxl
import pytest

from kjd.db import open_db
from kjd.importers import import_paths
from kjd.importers.headers import find_header, map_header
from kjd.importers.metadata import read_metadata
from kjd.importers.workbook import read_workbook

from .conftest import CASES, REALDATA, REPO, needs_cases, needs_realdata

SAMPLES = REPO / "data" / "samples"


@pytest.fixture
def db(db_path):
    return open_db(db_path)


def mapped(labels, kind):
    """Return {title: field} for a one-row header read as `kind`."""
    rows = [labels, ["x"] * len(labels)]
    header = map_header(rows, 0, 0, "Sheet1", kind)
    return {header.labels[column]: name for column, name in header.fields.items()}


@pytest.mark.parametrize(
    ("kind", "label", "field"),
    [
        ("demands", "技术需求名称", "title"),
        ("demands", "需求单位名称", "enterprise_name"),
        ("demands", "岗位名称", "title"),
        ("demands", "需求截止日期", "deadline"),
        ("demands", "截止日期", "deadline"),
        ("demands", "截止时间", "deadline"),
        ("demands", "联系手机", "phone"),
        ("demands", "手机号码", "phone"),
        ("demands", "所属行业", "field"),
        ("demands", "产业领域", "field"),
        ("demands", "学历要求", "degree"),
        ("demands", "需求人数", "headcount"),
        ("demands", "学科领域", "discipline"),
        ("demands", "专业领域", "discipline"),
        ("demands", "市（州）", "city"),
        ("demands", "县（市、区）", "county"),
        ("projects", "项目负责人", "leader"),
        ("projects", "成果完成人", "leader"),
        ("projects", "产业领域", "field"),
        ("projects", "研究领域", "field"),
        ("projects", "联系手机", "phone"),
        ("projects", "手机号码", "phone"),
        ("experts", "研究领域", "research_fields"),
        ("experts", "专业领域", "research_fields"),
        ("experts", "学科领域", "research_fields"),
        ("experts", "联系手机", "phone"),
        ("institutes", "单位地址", "address"),
        ("institutes", "通讯地址", "address"),
        ("institutes", "办公电话", "phone"),
        ("enterprises", "单位地址", "address"),
        ("enterprises", "通讯地址", "address"),
        ("enterprises", "所属行业", "industry"),
        ("enterprises", "产业领域", "industry"),
        ("enterprises", "办公电话", "phone"),
    ],
)
def test_header_synonym_maps_to_field(kind, label, field):
    assert mapped([label], kind) == {label: field}


def test_header_two_level_region_maps_city_and_county():
    # Rows as the reader returns them: merged cells carry their anchor's value.
    rows = [
        ["企业名称", "所在地区", "所在地区", "联系电话"],
        ["企业名称", "市（州）", "县（市、区）", "联系电话"],
        ["长春华锐汽车零部件有限公司", "长春市", "绿园区", "13800000001"],
    ]
    merged = [(0, 1, 0, 2), (0, 0, 1, 0), (0, 3, 1, 3)]
    assert find_header(rows, merged) == (0, 1)
    header = map_header(rows, 0, 1, "企业名录")
    assert header.kind == "enterprises"
    assert header.labels == [
        "企业名称",
        "所在地区/市（州）",
        "所在地区/县（市、区）",
        "联系电话",
    ]
    assert header.fields == {0: "name", 1: "city", 2: "county", 3: "phone"}
    assert header.extra == {}


def test_metadata_keeps_fullwidth_brackets_drops_stamp_hint():
    rows = [
        ["2026年吉林省企业技术需求汇总表"],
        ["填报单位：各市（州）科技局汇总", None, "填报日期：2026年3月18日"],
    ]
    assert read_metadata(rows) == {
        "标题": "2026年吉林省企业技术需求汇总表",
        "填报单位": "各市（州）科技局汇总",
        "填报日期": "2026-03-18",
    }
    stamped = read_metadata([["填报单位（盖章）：某市科学技术局（盖章）"]])
    assert stamped == {"填报单位": "某市科学技术局"}
    empty = read_metadata([["填报单位：（盖章）    填报日期：2024年5月"]])
    assert empty == {"填报日期": "2024-05"}


def write_sheet(path, rows, title="Sheet1"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_city_county_columns_fill_enterprise_and_demand(db, tmp_path):
    path = write_sheet(
        tmp_path / "企业.xlsx",
        [
            ["企业名称", "市（州）", "县（市、区）", "所属行业"],
            ["长春华锐汽车零部件有限公司", "长春市", "绿园区", "汽车零部件"],
            ["吉林省恒通精密锻造股份有限公司", "长春", "九台市", "装备制造"],
        ],
        "企业名录",
    )
    import_paths(db, [path])
    found = db.execute(
        "SELECT name, city, county, industry, extra FROM enterprises "
        "WHERE source_file = '企业.xlsx' ORDER BY source_row"
    ).fetchall()
    assert [row[:4] for row in found] == [
        ("长春华锐汽车零部件有限公司", "长春市", "绿园区", "汽车零部件"),
        ("吉林省恒通精密锻造股份有限公司", "长春市", "九台区", "装备制造"),
    ]
    # Text the city and county columns hold exactly is not copied to `extra`;
    # a short or old name ('长春', '九台市') is kept as typed.
    assert json.loads(found[0][4]) == {}
    assert json.loads(found[1][4]) == {"市（州）": "长春", "县（市、区）": "九台市"}


def test_demand_region_column_fills_only_blank_city(db, tmp_path):
    path = write_sheet(
        tmp_path / "需求.xlsx",
        [
            ["需求名称", "所在地区", "县区"],
            ["需求一", "吉林市", "九台区"],
            ["需求二", "长春市朝阳区", None],
        ],
        "技术需求",
    )
    import_paths(db, [path])
    found = db.execute(
        "SELECT title, city, county, extra FROM demands ORDER BY source_row"
    ).fetchall()
    assert found == [
        ("需求一", "吉林市", "九台区", "{}"),
        ("需求二", "长春市", "朝阳区", "{}"),
    ]


def test_demand_credit_code_not_copied_to_extra(db, tmp_path):
    path = write_sheet(
        tmp_path / "需求.xlsx",
        [
            ["需求名称", "企业名称", "统一社会信用代码"],
            ["需求一", "长春华锐汽车零部件有限公司", "91220106MAAT6Q5R84"],
            ["需求二", None, "91220181561418888E"],
        ],
        "技术需求",
    )
    import_paths(db, [path])
    found = db.execute(
        "SELECT d.title, d.extra, e.credit_code FROM demands d "
        "LEFT JOIN enterprises e ON e.id = d.enterprise_id ORDER BY d.source_row"
    ).fetchall()
    assert found == [
        ("需求一", "{}", "91220106MAAT6Q5R84"),
        ("需求二", '{"统一社会信用代码": "91220181561418888E"}', None),
    ]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("合作开发、技术许可", "合作开发、技术许可"),
        ("技术转让/联合研发", "技术转让、合作开发"),
        ("技术转让或技术入股", "技术转让、作价投资"),
        ("合作开发，合作开发", "合作开发"),
        ("产学研合作", "合作开发"),
        ("面谈", None),
    ],
)
def test_cooperation_mode_keeps_every_value(db, tmp_path, typed, stored):
    path = write_sheet(
        tmp_path / "成果.xlsx", [["成果名称", "合作方式"], ["成果一", typed]], "成果"
    )
    import_paths(db, [path])
    row = db.execute("SELECT cooperation_mode, cooperation_mode_raw FROM projects")
    assert row.fetchone() == (stored, typed)


def shared_files():
    files = []
    if REALDATA.is_dir():
        files += sorted(REALDATA.glob("*.xlsx"))
    if CASES.is_dir():
        files += sorted(CASES.glob("*.xlsx")) + sorted(CASES.glob("*.csv"))
    return files + sorted(SAMPLES.glob("*.xlsx"))


# Column titles in the shared rosters and samples that are not fields of the
# kind they were read as, and stay in `extra` on purpose.
UNMAPPED_TITLES = {
    "序号",
    "备注",
    "说明",
    "性别",
    "主营产品",
    "薪酬待遇",
    "邮政编码",
    "固定电话",
    "项目编号",
    "注册资本（万元）",
    "是否在库",
    "内部编号",
    "状态",
    "需求关键词",
    "期望命中的关键词",
    "所属地区",
    "所属领域",
    "联系人/电子邮箱",
    "经费（万元）",
    "是否结题",
}


@needs_realdata
@needs_cases
def test_shared_column_titles_all_mapped():
    """Every title in the shared rosters maps to a field or is listed above."""
    unmapped = {}
    for path in shared_files():
        for raw in read_workbook(path).sheets:
            bounds = find_header(raw.rows, raw.merged)
            header = map_header(raw.rows, *bounds, raw.name) if bounds else None
            if header is None:
                continue
            for label in header.extra.values():
                if label not in UNMAPPED_TITLES:
                    unmapped.setdefault(label, path.name)
    assert unmapped == {}
