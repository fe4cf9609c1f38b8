"""The leadership summary: counts equal the database's, funnel, period, charts."""

import zipfile
from datetime import date

import openpyxl
import pytest

from kjd.errors import UsageError
from kjd.reports.summary import (
    Period,
    build_summary,
    canonical_city,
    make_period,
    write_summary,
)
from tests.reports_data import build_database


@pytest.fixture
def db(tmp_path):
    return build_database(tmp_path / "kjd.db")


def table_rows(sheet) -> dict[str, dict]:
    """Return the numbered rows keyed by their second cell, plus the 合计 row."""
    headers = [cell.value for cell in sheet[3]]
    rows = {}
    for values in sheet.iter_rows(min_row=4, values_only=True):
        if isinstance(values[0], int) or values[0] == "合计":
            key = "合计" if values[0] == "合计" else values[1]
            rows[key] = dict(zip(headers, values, strict=True))
    return rows


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]


@pytest.fixture
def workbook(db, tmp_path):
    path = tmp_path / "汇总.xlsx"
    write_summary(db, path)
    return openpyxl.load_workbook(path, data_only=True)


def test_summary_sheets(workbook):
    assert workbook.sheetnames == [
        "总览",
        "对接漏斗",
        "按市州",
        "按技术领域",
        "按依托单位",
    ]


def test_overview_counts_equal_database(db, workbook):
    rows = table_rows(workbook["总览"])
    assert rows["高校院所"]["数量"] == count(db, "institutes") == 3
    assert rows["专家"]["数量"] == count(db, "experts") == 3
    assert rows["科技成果"]["数量"] == count(db, "projects") == 4
    assert rows["企业"]["数量"] == count(db, "enterprises") == 3
    assert rows["企业研发机构"]["数量"] == 0
    assert rows["企业需求"]["数量"] == count(db, "demands") == 5
    assert rows["签约金额（万元）"]["数量"] == 250.5


def test_company_units_are_not_counted_as_institutes(db, tmp_path):
    db["institutes"].insert(
        {
            "id": 9,
            "name": "长春博超汽车零部件股份有限公司",
            "natural_key": "博超",
            "kind": "企业研发机构",
            "city": "长春市",
        }
    )
    path = tmp_path / "汇总.xlsx"
    write_summary(db, path)
    rows = table_rows(openpyxl.load_workbook(path)["总览"])
    assert rows["高校院所"]["数量"] == 3
    assert rows["企业研发机构"]["数量"] == 1
    city_rows = table_rows(openpyxl.load_workbook(path)["按市州"])
    assert city_rows["长春市"]["高校院所"] == 2


def test_city_totals_equal_database(db, workbook):
    rows = table_rows(workbook["按市州"])
    total = rows["合计"]
    assert total["高校院所"] == count(db, "institutes")
    assert total["专家"] == count(db, "experts")
    assert total["科技成果"] == count(db, "projects")
    assert total["企业"] == count(db, "enterprises")
    assert total["企业需求"] == count(db, "demands")
    assert total["确认对接（对）"] == 3
    assert total["签约金额（万元）"] == 250.5
    assert list(rows) == [
        "长春市",
        "吉林市",
        "四平市",
        "辽源市",
        "通化市",
        "白山市",
        "松原市",
        "白城市",
        "延边朝鲜族自治州",
        "未填市州",
        "合计",
    ]
    assert rows["长春市"]["科技成果"] == 2
    assert rows["延边朝鲜族自治州"]["企业需求"] == 2
    assert rows["四平市"]["企业需求"] == 0
    assert rows["未填市州"]["专家"] == 1


def test_field_totals_equal_database(db, workbook):
    rows = table_rows(workbook["按技术领域"])
    assert rows["合计"]["科技成果"] == count(db, "projects")
    assert rows["合计"]["企业需求"] == count(db, "demands")
    assert rows["农产品加工"]["企业需求"] == 1
    assert rows["未填技术领域"]["科技成果"] == 1


def test_institute_totals_equal_database(db, workbook):
    rows = table_rows(workbook["按依托单位"])
    assert rows["合计"]["专家"] == count(db, "experts")
    assert rows["合计"]["科技成果"] == count(db, "projects")
    assert rows["合计"]["推荐对接（对）"] == 6
    assert rows["吉林大学"]["推荐对接（对）"] == 2
    assert rows["中国科学院长春应用化学研究所"]["确认对接（对）"] == 1
    assert rows["未关联单位"]["专家"] == 1


def test_funnel_stages(workbook):
    rows = table_rows(workbook["对接漏斗"])
    demands = {stage: row["需求数（项）"] for stage, row in rows.items()}
    assert demands == {
        "征集企业需求": 5,
        "匹配到推荐": 3,
        "确认对接": 3,
        "参加对接活动": 2,
        "达成意向": 2,
        "签约": 2,
        "落地": 1,
    }
    assert rows["签约"]["金额（万元）"] == 250.5
    assert rows["达成意向"]["金额（万元）"] == 100
    assert rows["落地"]["金额（万元）"] == 80
    assert rows["匹配到推荐"]["占征集需求"] == pytest.approx(0.6)


def test_funnel_threshold(db):
    report = build_summary(db, threshold=60)
    assert report.info["funnel"]["matched"] == 3
    report = build_summary(db, threshold=95)
    # Demands 1, 2 and 3 each have an accepted match, which counts at any score.
    assert report.info["funnel"]["matched"] == 3
    db.execute("UPDATE matches SET status = 'proposed' WHERE id = 4")
    report = build_summary(db, threshold=95)
    assert report.info["funnel"]["matched"] == 2


def test_period_filters(db):
    report = build_summary(db, make_period(year=2024))
    assert report.info["funnel"] == {
        "collected": 2,
        "matched": 2,
        "accepted": 2,
        "met": 0,
        "intent": 0,
        "signed": 0,
        "landed": 0,
    }
    report = build_summary(db, make_period("2025-04", "2025-06"))
    assert report.info["funnel"]["collected"] == 0
    assert report.info["funnel"]["signed"] == 2
    assert report.info["funnel"]["landed"] == 1


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            ("2025-03-01", "2025-03-31", None),
            Period(date(2025, 3, 1), date(2025, 3, 31)),
        ),
        (("2025/3/1", None, None), Period(date(2025, 3, 1), None)),
        (("2025-02", "2025-02", None), Period(date(2025, 2, 1), date(2025, 2, 28))),
        ((None, "2024-12", None), Period(None, date(2024, 12, 31))),
        ((None, None, 2025), Period(date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_make_period(arguments, expected):
    assert make_period(*arguments) == expected


@pytest.mark.parametrize(
    "arguments",
    [
        ("2025-13-01", None, None),
        ("2025-01-01", None, 2025),
        ("2025-05", "2025-01", None),
    ],
)
def test_make_period_rejects(arguments):
    with pytest.raises(UsageError):
        make_period(*arguments)


@pytest.mark.parametrize(
    ("name", "city"),
    [
        ("长春", "长春市"),
        ("长春市", "长春市"),
        ("延边州", "延边朝鲜族自治州"),
        ("吉林", "吉林市"),
        ("郑州市", "省外"),
        ("上海", "省外"),
        ("西安", "省外"),
        ("延吉", "延边朝鲜族自治州"),
        ("延吉市", "延边朝鲜族自治州"),
        ("梅河口市", "通化市"),
        ("吉林省", "未填市州"),
        (None, "未填市州"),
        ("  ", "未填市州"),
    ],
)
def test_canonical_city(name, city):
    assert canonical_city(name) == city


def test_summary_native_charts(db, tmp_path):
    path = tmp_path / "汇总.xlsx"
    write_summary(db, path)

    with zipfile.ZipFile(path) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/"))
        xml = "".join(archive.read(name).decode("utf-8") for name in charts)
    assert len(charts) == 2
    assert '<c:barDir val="bar"/>' in xml
    assert '<c:barDir val="col"/>' in xml
    assert "<c:f>对接漏斗!$C$4:$C$10</c:f>" in xml


def test_summary_print_setup(workbook):
    for sheet in workbook:
        assert sheet.print_title_rows == "$1:$3"
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
        assert sheet.freeze_panes == "A4"
