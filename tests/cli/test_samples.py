"""The sample rosters in data/samples: exact import counts and their generator."""

import importlib.util
import json
import sqlite3

import openpyxl
import pytest

from ..conftest import REPO

SAMPLES = REPO / "data" / "samples"

# (file, sheet) → (kind, data rows, skipped rows, warnings)
EXPECTED_SHEETS = {
    ("高校院所名录.xlsx", "高校院所名录"): ("institutes", 13, 0, 0),
    ("专家名单.xlsx", "专家名单"): ("experts", 20, 0, 0),
    ("科技成果汇总表.xlsx", "可转化成果"): ("projects", 30, 1, 0),
    ("企业名录.xlsx", "企业名录"): ("enterprises", 17, 0, 1),
    ("企业需求汇总表.xlsx", "技术需求"): ("demands", 18, 1, 1),
    ("企业需求汇总表.xlsx", "人才需求"): ("demands", 7, 0, 0),
}


def sample_paths():
    return sorted(SAMPLES.glob("*.xlsx"))


@pytest.fixture
def imported(invoke, db_path):
    """Import every sample workbook once and return (JSON document, connection)."""
    result = invoke("import", *sample_paths(), "--json")
    assert result.exit_code == 0, result.stderr
    conn = sqlite3.connect(db_path)
    yield json.loads(result.stdout), conn
    conn.close()


def scalar(conn, sql, *params):
    return conn.execute(sql, params).fetchone()[0]


def test_samples_are_five_workbooks():
    names = [path.name for path in sample_paths()]
    assert names == sorted(
        [
            "高校院所名录.xlsx",
            "专家名单.xlsx",
            "科技成果汇总表.xlsx",
            "企业名录.xlsx",
            "企业需求汇总表.xlsx",
        ]
    )


def test_samples_import_exact_counts(imported):
    document, _ = imported
    assert document["status"] == "ok"
    assert document["totals"]["rejected"] == 0
    assert document["totals"]["skipped"] == 2

    by_sheet = {
        (entry["path"].split("/")[-1], entry["sheet"]): entry
        for entry in document["files"]
    }
    assert set(by_sheet) == set(EXPECTED_SHEETS)
    for key, (kind, rows, skipped, warnings) in EXPECTED_SHEETS.items():
        entry = by_sheet[key]
        assert entry["kind"] == kind, key
        assert entry["header_row"] == 3, key
        assert entry["read"] == rows + skipped, key
        # Institutes seeded from data/aliases.csv exist before their roster
        # is read, so the roster updates them.
        written = entry["inserted"] + (entry["updated"] if kind == "institutes" else 0)
        assert written == rows, key
        assert entry["rejected"] == 0, key
        assert entry["skipped"] == skipped, key
        assert entry["warnings"] == warnings, key
        assert entry["status"] == "ok", key


def test_samples_filing_line_kept(imported):
    document, _ = imported
    experts = next(e for e in document["files"] if e["kind"] == "experts")
    assert experts["metadata"]["填报单位"] == "吉林省科技对接活动组委会办公室"
    assert experts["metadata"]["填报日期"] == "2026-03-12"
    assert experts["metadata"]["标题"] == "2026年吉林省科技对接活动入库专家名单"


def test_samples_header_gaps_filled(imported):
    """Titles once left in `extra`: 市（州）, 县（市、区）, 需求截止日期."""
    document, conn = imported
    demands = next(e for e in document["files"] if e["sheet"] == "技术需求")
    assert demands["metadata"]["填报单位"] == "各市（州）科技局汇总"
    enterprise = conn.execute(
        "SELECT city, county, extra FROM enterprises"
        " WHERE name = '长春华锐汽车零部件有限公司'"
    ).fetchone()
    assert enterprise == ("长春市", "绿园区", '{"主营产品": "新能源汽车驱动电机壳体、'
                          '减速器壳体等铝合金压铸件", "序号": 1}')  # fmt: skip
    demand = conn.execute(
        "SELECT deadline, deadline_raw, extra FROM demands WHERE ref = 'D001'"
    ).fetchone()
    assert demand == ("2026-12-31", "2026年12月31日", '{"序号": 1}')
    modes = conn.execute(
        "SELECT cooperation_mode, cooperation_mode_raw FROM projects WHERE ref = 'A001'"
    ).fetchone()
    assert modes == ("合作开发、技术服务", "合作开发、技术服务")


def test_samples_table_counts(imported):
    _, conn = imported
    per_file = {
        ("institutes", "高校院所名录.xlsx"): 13,
        ("experts", "专家名单.xlsx"): 20,
        ("projects", "科技成果汇总表.xlsx"): 30,
        ("enterprises", "企业名录.xlsx"): 17,
        ("demands", "企业需求汇总表.xlsx"): 25,
    }
    for (table, file_name), count in per_file.items():
        sql = f"SELECT count(*) FROM {table} WHERE source_file = ?"
        assert scalar(conn, sql, file_name) == count, table

    # The demand roster spells some enterprises differently (有限公司 for
    # 股份有限公司, 长春光赫… for 光赫…（长春）, 白山 for 白山市). None of them
    # becomes a new enterprise.
    assert scalar(conn, "SELECT count(*) FROM enterprises") == 17
    assert scalar(conn, "SELECT count(*) FROM rejects") == 0


def test_samples_demand_kinds_and_refs(imported):
    _, conn = imported
    kinds = dict(conn.execute("SELECT kind, count(*) FROM demands GROUP BY kind"))
    assert kinds == {"tech": 18, "talent": 7}

    refs = [row[0] for row in conn.execute("SELECT ref FROM demands ORDER BY ref")]
    assert refs == [f"D{n:03d}" for n in range(1, 26)]
    project_refs = [row[0] for row in conn.execute("SELECT ref FROM projects")]
    assert sorted(project_refs) == [f"A{n:03d}" for n in range(1, 31)]
    expert_refs = [row[0] for row in conn.execute("SELECT ref FROM experts")]
    assert sorted(expert_refs) == [f"E{n:03d}" for n in range(1, 21)]


def test_samples_talent_demand_fields(imported):
    _, conn = imported
    row = conn.execute(
        "SELECT kind, discipline, degree, headcount, demand_type FROM demands"
        " WHERE ref = 'D019'"
    ).fetchone()
    assert row == ("talent", "材料成型及控制工程", "硕士及以上", 2, "人才需求")


def test_samples_demands_link_roster_enterprises(imported):
    _, conn = imported
    linked = conn.execute(
        "SELECT d.ref, e.name FROM demands d"
        " JOIN enterprises e ON e.id = d.enterprise_id"
        " WHERE d.ref IN ('D003', 'D005', 'D009', 'D011', 'D020') ORDER BY d.ref"
    ).fetchall()
    assert linked == [
        ("D003", "吉林省恒通精密锻造股份有限公司"),
        ("D005", "光赫光电科技（长春）有限公司"),
        ("D009", "白山市鸿参生物科技有限公司"),
        ("D011", "通化康源药业股份有限公司"),
        ("D020", "光赫光电科技（长春）有限公司"),
    ]
    unlinked = "SELECT count(*) FROM demands WHERE enterprise_id IS NULL"
    assert scalar(conn, unlinked) == 0


def test_samples_short_institute_names_resolved(imported):
    _, conn = imported
    linked = dict(
        conn.execute(
            "SELECT p.ref, i.name FROM projects p JOIN institutes i"
            " ON i.id = p.institute_id WHERE p.ref IN ('A004', 'A008', 'A009', 'A010')"
        )
    )
    assert linked == {
        "A004": "吉林大学",
        "A008": "中国科学院长春光学精密机械与物理研究所",
        "A009": "中国科学院长春光学精密机械与物理研究所",
        "A010": "中国科学院长春应用化学研究所",
    }
    expert_institute = scalar(
        conn,
        "SELECT i.name FROM experts x JOIN institutes i ON i.id = x.institute_id"
        " WHERE x.ref = 'E009'",
    )
    assert expert_institute == "中国科学院长春应用化学研究所"


def test_samples_warnings_point_at_cells(imported):
    _, conn = imported
    warnings = conn.execute(
        "SELECT sheet, row_number, column_name, value, code FROM import_warnings"
        " ORDER BY id"
    ).fetchall()
    assert warnings == [
        (
            "企业名录",
            21,
            "统一社会信用代码",
            "91220402MAQA332R1J",
            "credit-code-invalid",
        ),
        ("技术需求", 12, "拟投入资金（万元）", "面议", "amount-not-a-number"),
    ]
    valid = dict(conn.execute("SELECT name, credit_code_valid FROM enterprises"))
    assert valid.pop("辽源市鑫达袜业有限公司") == 0
    assert set(valid.values()) == {1}


def test_samples_amounts_in_wan(imported):
    _, conn = imported
    budgets = dict(
        conn.execute(
            "SELECT ref, budget FROM demands WHERE ref IN ('D001', 'D008', 'D013')"
        )
    )
    assert budgets == {"D001": 80.0, "D008": None, "D013": 50.0}


def test_samples_reimport_changes_nothing(invoke, imported):
    again = invoke("import", *sample_paths(), "--json")
    assert again.exit_code == 0, again.stderr
    totals = json.loads(again.stdout)["totals"]
    assert totals["inserted"] == 0
    assert totals["updated"] == 0
    assert totals["unchanged"] == 105


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "build_samples", SAMPLES.parent.parent / "tools" / "build_samples.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sheet_snapshot(path):
    """Return every sheet's cell values and merged ranges, for comparing workbooks."""
    workbook = openpyxl.load_workbook(path)
    snapshot = {}
    for sheet in workbook.worksheets:
        cells = [list(row) for row in sheet.iter_rows(values_only=True)]
        merged = sorted(str(cell_range) for cell_range in sheet.merged_cells.ranges)
        snapshot[sheet.title] = (cells, merged)
    return snapshot


def test_generator_matches_committed_samples(tmp_path):
    generator = load_generator()
    written = generator.build_all(tmp_path)
    assert sorted(path.name for path in written) == [p.name for p in sample_paths()]
    for path in written:
        assert sheet_snapshot(path) == sheet_snapshot(SAMPLES / path.name), path.name


def test_generator_credit_codes():
    generator = load_generator()
    # Published codes of listed companies, and one with a wrong check character.
    assert generator.credit_check("91520000214434146") == "R"
    assert generator.credit_check("91110000710925462") == "X"
    assert generator.credit_check("91440300192317458") == "F"
    assert generator.org_code_check("21443414") == "6"
    assert generator.spoil_check_character("91440300192317458F") == "91440300192317458G"
