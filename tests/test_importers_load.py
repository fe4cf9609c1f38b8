"""Loading rosters: natural keys, updates, rejects, strict, dry run, odd files."""

import gc
import json
import zipfile

import openpyxl
import pytest

from kjd.db import open_db
from kjd.importers import import_paths
from kjd.importers.pipeline import expand_paths


@pytest.fixture
def db(db_path):
    return open_db(db_path)


def write_demands(path, rows, title="企业技术需求汇总表"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "技术需求"
    sheet.append([title])
    sheet.append(["序号", "需求编号", "企业名称", "需求名称", "需求描述", "联系电话"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


DEMANDS = [
    [
        1,
        None,
        "长春德茂汽车零部件有限公司",
        "压铸件气孔控制",
        "真空压铸",
        "13800000001",
    ],
    [
        2,
        None,
        "长春德茂汽车零部件有限公司",
        "压铸件气孔控制",
        "模具排气",
        "13800000001",
    ],
    [3, None, None, "秸秆纤维素酶制备", "菌株选育", None],
    [4, None, None, "秸秆纤维素酶制备", "发酵放大", None],
    [5, None, "吉林省瑞丰生物科技有限公司", None, None, "13800000002"],
]


def counts(sheet):
    return (sheet.inserted, sheet.updated, sheet.unchanged, sheet.rejected)


def test_duplicate_titles_stay_separate_and_reimport_is_idempotent(db, tmp_path):
    path = write_demands(tmp_path / "需求.xlsx", DEMANDS)
    first = import_paths(db, [path]).sheets[0]
    assert counts(first) == (4, 0, 0, 1)
    keys = [r[0] for r in db.execute("SELECT natural_key FROM demands ORDER BY id")]
    assert keys == [
        "demands:|长春德茂汽车零部件有限公司|压铸件气孔控制",
        "demands:|长春德茂汽车零部件有限公司|压铸件气孔控制#2",
        "demands:||秸秆纤维素酶制备",
        "demands:||秸秆纤维素酶制备#2",
    ]
    second = import_paths(db, [path]).sheets[0]
    assert counts(second) == (0, 0, 4, 1)
    assert db.execute("SELECT count(*) FROM demands").fetchone()[0] == 4


def test_later_version_updates_changed_rows_only(db, tmp_path):
    import_paths(db, [write_demands(tmp_path / "v1.xlsx", DEMANDS[:4])])
    db.execute("UPDATE demands SET updated_at = '2000-01-01T00:00:00'")
    changed = [row[:] for row in DEMANDS[:4]]
    changed[1][4] = "模具排气与真空度提升"
    changed.append(
        [6, None, "白山恒昌矿产新材料有限公司", "硅藻土提纯", "低能耗", None]
    )
    sheet = import_paths(db, [write_demands(tmp_path / "v2.xlsx", changed)]).sheets[0]
    assert counts(sheet) == (1, 1, 3, 0)
    updated = db.execute(
        "SELECT description FROM demands WHERE updated_at > '2000-01-01T00:00:00'"
    ).fetchall()
    assert [row[0] for row in updated] == ["模具排气与真空度提升", "低能耗"]


def test_refs_from_different_rosters_do_not_collide(db, tmp_path):
    rows_a = [[1, "D001", "甲公司", "需求甲", "描述甲", None]]
    rows_b = [[1, "D001", "乙公司", "需求乙", "描述乙", None]]
    import_paths(db, [write_demands(tmp_path / "a.xlsx", rows_a)])
    import_paths(db, [write_demands(tmp_path / "b.xlsx", rows_b)])
    found = db.execute("SELECT ref, title FROM demands ORDER BY id").fetchall()
    assert found == [("D001", "需求甲"), ("D001", "需求乙")]


def test_rejected_row_goes_to_table_and_workbook(db, tmp_path):
    path = write_demands(tmp_path / "需求.xlsx", DEMANDS)
    sheet = import_paths(db, [path]).sheets[0]
    assert sheet.status == "rejected"
    reject = db.execute(
        "SELECT row_number, reason, cells, column_name FROM rejects"
    ).fetchone()
    assert reject[0] == 7
    assert reject[1] == "缺少必填项：需求名称或需求描述"
    assert json.loads(reject[2])["企业名称"] == "吉林省瑞丰生物科技有限公司"
    assert reject[3] == "需求名称、需求描述"
    workbook = openpyxl.load_workbook(tmp_path / "需求_未导入.xlsx")
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:5] == ("行号", "列", "值", "原因", "序号")
    assert rows[1][0] == "7"
    assert rows[1][1] == "需求名称、需求描述"
    assert rows[1][3] == "缺少必填项：需求名称或需求描述"
    assert sheet.rejects_path == str(tmp_path / "需求_未导入.xlsx")


def test_rejects_workbook_keeps_formula_text_as_text(db, tmp_path):
    rows = [[1, None, '=HYPERLINK("http://example.invalid")', None, None, "=1+1"]]
    path = write_demands(tmp_path / "f.xlsx", rows)
    target = tmp_path / "拒收.xlsx"
    import_paths(db, [path], rejects_path=target)
    with zipfile.ZipFile(target) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml


def test_strict_writes_nothing_for_a_file_with_rejects(db, tmp_path):
    path = write_demands(tmp_path / "需求.xlsx", DEMANDS)
    sheet = import_paths(db, [path], strict=True).sheets[0]
    assert sheet.status == "failed"
    assert sheet.rejected == 1
    assert "--strict" in sheet.message
    for table in ("demands", "enterprises", "imports", "rejects"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


def test_dry_run_reports_figures_and_writes_nothing(db, tmp_path):
    path = write_demands(tmp_path / "需求.xlsx", DEMANDS)
    report = import_paths(db, [path], dry_run=True, preview_rows=2)
    sheet = report.sheets[0]
    assert counts(sheet) == (4, 0, 0, 1)
    assert sheet.preview[0]["需求名称"] == "压铸件气孔控制"
    assert len(sheet.preview) == 2
    assert db.execute("SELECT count(*) FROM demands").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM imports").fetchone()[0] == 0
    assert not (tmp_path / "需求_未导入.xlsx").exists()


def test_skip_unchanged_skips_a_file_already_imported(db, tmp_path):
    path = write_demands(tmp_path / "需求.xlsx", DEMANDS[:2])
    import_paths(db, [path])
    again = import_paths(db, [path], skip_unchanged=True)
    assert [s.status for s in again.sheets] == ["unchanged-file"]
    assert db.execute("SELECT count(*) FROM imports").fetchone()[0] == 1


def test_non_rosters_classified_others_imported(db, tmp_path):
    tmp_path = tmp_path / "inputs"
    tmp_path.mkdir()
    good = write_demands(tmp_path / "a_需求.xlsx", DEMANDS[:1])
    (tmp_path / "b_说明.md").write_text("# 说明\n\n这是说明文档。\n", encoding="utf-8")
    (tmp_path / "c_图片.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 4)
    (tmp_path / "d_损坏.xlsx").write_bytes(good.read_bytes()[:2000])
    (tmp_path / "e_链接.csv").write_text(
        "demand_ref,target_kind,target_ref,grade\nD001,achievement,A001,2\n",
        encoding="utf-8",
    )
    (tmp_path / "~$a_需求.xlsx").write_bytes(b"lock")
    report = import_paths(db, [tmp_path])
    statuses = {s.path.split("/")[-1]: s.status for s in report.sheets}
    assert statuses == {
        "a_需求.xlsx": "ok",
        "b_说明.md": "not-roster",
        "c_图片.png": "not-roster",
        "d_损坏.xlsx": "failed",
        "e_链接.csv": "not-roster",
    }
    failed = next(s for s in report.sheets if s.status == "failed")
    assert failed.message.startswith("d_损坏.xlsx：文件已损坏或不完整")
    assert "\n" not in failed.message
    assert db.execute("SELECT count(*) FROM demands").fetchone()[0] == 1


def test_lock_file_given_by_name_is_skipped(db, tmp_path):
    lock = tmp_path / "~$名单.xlsx"
    lock.write_bytes(b"\x00lock")
    report = import_paths(db, [lock])
    assert [s.status for s in report.sheets] == ["not-roster"]


def test_zip_bomb_is_refused(db, tmp_path):
    path = tmp_path / "炸弹.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (300 * 1024 * 1024))
    sheet = import_paths(db, [path]).sheets[0]
    assert sheet.status == "failed"
    assert "压缩炸弹" in sheet.message


def test_expand_paths_skips_lock_and_hidden_files(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("a.xlsx", "~$a.xlsx", ".hidden.csv", "sub/b.csv"):
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in expand_paths([tmp_path])]
    assert found == ["a.xlsx", "sub/b.csv"]


def test_csv_apostrophe_prefix_is_removed_before_formula_characters(db, tmp_path):
    path = tmp_path / "需求.csv"
    path.write_text(
        "企业名称,需求名称,需求描述\n甲公司,'=1+1,'保留的撇号\n乙公司,'-40℃冷启动,说明\n",
        encoding="utf-8",
    )
    import_paths(db, [path])
    found = db.execute("SELECT title, description FROM demands ORDER BY id").fetchall()
    assert found == [("=1+1", "'保留的撇号"), ("-40℃冷启动", "说明")]


def test_tsv_and_header_below_notes(db, tmp_path):
    path = tmp_path / "成果.tsv"
    path.write_text(
        "说明：本表由各单位填写\n\n成果编号\t成果名称\t完成单位\t成熟度\n"
        "A1\t新型催化剂\t吉林大学\t中试阶段\n",
        encoding="gb18030",
    )
    sheet = import_paths(db, [path]).sheets[0]
    assert (sheet.kind, sheet.header_row, sheet.inserted) == ("projects", 3, 1)
    row = db.execute(
        "SELECT ref, title, maturity, maturity_raw FROM projects"
    ).fetchone()
    assert row == ("A1", "新型催化剂", "中试", "中试阶段")


def test_ambiguous_header_asks_for_kind(db, tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text("单位名称,联系人,联系电话\n某单位,张三,13800000001\n", "utf-8")
    sheet = import_paths(db, [path]).sheets[0]
    assert sheet.status == "ambiguous-kind"
    assert "--kind institutes" in sheet.message
    assert "--kind enterprises" in sheet.message
    forced = import_paths(db, [path], kind="enterprises").sheets[0]
    assert (forced.status, forced.inserted) == ("ok", 1)


def test_project_links_every_completing_unit(db, tmp_path):
    path = tmp_path / "成果.csv"
    path.write_text(
        "成果名称,完成单位\n复合材料,吉林大学、长春理工大学\n", encoding="utf-8"
    )
    import_paths(db, [path])
    linked = db.execute(
        "SELECT i.name, pi.position FROM project_institutes pi "
        "JOIN institutes i ON i.id = pi.institute_id ORDER BY pi.position"
    ).fetchall()
    assert linked == [("吉林大学", 0), ("长春理工大学", 1)]
    main = db.execute(
        "SELECT i.name FROM projects p JOIN institutes i ON i.id = p.institute_id"
    ).fetchone()
    assert main == ("吉林大学",)


def test_demand_values_amount_region_vocabulary(db, tmp_path):
    path = tmp_path / "需求.csv"
    path.write_text(
        "需求单位,需求名称,所在地区,拟投入资金（万元）,需求类型,合作方式,完成时限\n"
        "甲公司,需求一,九台市,0.5亿,人才引进需求,技术入股,2025年6月\n"
        "乙公司,需求二,长春市朝阳区,面议,技术难题,联合研发,至今\n",
        encoding="utf-8",
    )
    import_paths(db, [path])
    found = db.execute(
        "SELECT city, county, budget, budget_raw, kind, demand_type, "
        "cooperation_mode, deadline FROM demands ORDER BY id"
    ).fetchall()
    assert found == [
        (
            "长春市",
            "九台区",
            5000.0,
            "0.5亿",
            "talent",
            "人才需求",
            "作价投资",
            "2025-06",
        ),
        ("长春市", "朝阳区", None, "面议", "tech", "技术难题攻关", "合作开发", None),
    ]


def test_blank_required_cell_rejected_even_with_reference(db, tmp_path):
    """The name column exists, so a row with a 专家编号 but no 姓名 is rejected."""
    path = tmp_path / "专家.csv"
    path.write_text(
        "专家编号,姓名,工作单位\nE1,专家001,吉林大学\nE2,,吉林大学\n",
        encoding="utf-8",
    )
    sheet = import_paths(db, [path]).sheets[0]
    assert (sheet.kind, sheet.inserted, sheet.rejected) == ("experts", 1, 1)
    rejected = db.execute("SELECT row_number, column_name, reason FROM rejects")
    assert rejected.fetchall() == [(3, "姓名", "缺少必填项：姓名")]


def test_missing_required_column_blank_reference_rejected(db, tmp_path):
    path = tmp_path / "成果.csv"
    path.write_text("成果编号,完成单位\nA1,吉林大学\n,长春理工大学\n", encoding="utf-8")
    sheet = import_paths(db, [path]).sheets[0]
    assert (sheet.kind, sheet.inserted, sheet.rejected) == ("projects", 1, 1)
    rejected = db.execute("SELECT row_number, column_name, reason FROM rejects")
    assert rejected.fetchall() == [
        (3, "成果编号", "表头中没有“成果名称”列，且编号为空")
    ]


def test_import_restores_garbage_collection(db, tmp_path):
    """The collector is paused while rows are parsed and written, then resumed."""
    path = write_demands(tmp_path / "需求.xlsx", DEMANDS[:1])
    assert gc.isenabled()
    import_paths(db, [path])
    assert gc.isenabled()
    gc.disable()
    try:
        import_paths(db, [path])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_dry_run_then_import_links_seeded_institute(db, tmp_path):
    """A rolled-back dry run once left the resolver believing seeds existed."""
    path = tmp_path / "成果.csv"
    path.write_text("成果名称,完成单位\n成果一,长春应化所\n", encoding="utf-8")
    import_paths(db, [path], dry_run=True)
    assert db.execute("SELECT count(*) FROM institutes").fetchone() == (0,)
    import_paths(db, [path])
    linked = db.execute(
        "SELECT i.name FROM projects p JOIN institutes i ON i.id = p.institute_id"
    ).fetchall()
    assert linked == [("中国科学院长春应用化学研究所",)]


def test_strict_rollback_leaves_next_file_resolving(db, tmp_path):
    # An enterprise roster is written before achievements (see LOAD_ORDER).
    bad = tmp_path / "b_企业.csv"
    bad.write_text("企业名称,所属行业\n,化工\n甲公司,化工\n", encoding="utf-8")
    good = tmp_path / "a_成果.csv"
    good.write_text("成果名称,完成单位\n成果一,长春应化所\n", encoding="utf-8")
    report = import_paths(db, [good, bad], strict=True)
    assert [sheet.status for sheet in report.sheets] == ["ok", "failed"]
    linked = db.execute(
        "SELECT i.name FROM projects p JOIN institutes i ON i.id = p.institute_id"
    ).fetchall()
    assert linked == [("中国科学院长春应用化学研究所",)]


def test_reject_names_the_sheets_own_titles(db, tmp_path):
    path = tmp_path / "需求.csv"
    path.write_text(
        "企业名称,技术需求名称,需求概述\n甲公司,需求一,描述\n乙公司,,\n",
        encoding="utf-8",
    )
    import_paths(db, [path])
    rejected = db.execute("SELECT row_number, column_name FROM rejects")
    assert rejected.fetchall() == [(3, "技术需求名称、需求概述")]


def write_institutes(path, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["单位名称", "地址", "联系电话", "备注"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_institute_blank_cell_keeps_stored_value(db, tmp_path):
    first = [["吉林大学", "长春市前进大街2699号", "0431-85166000", "985"]]
    import_paths(
        db, [write_institutes(tmp_path / "院所.xlsx", first)], kind="institutes"
    )
    later = [["吉林大学", "长春市南湖大路5372号", None, None]]
    path = write_institutes(tmp_path / "院所_修订.xlsx", later)

    [sheet] = import_paths(db, [path], kind="institutes").sheets
    assert (sheet.inserted, sheet.updated, sheet.unchanged) == (0, 1, 0)
    stored = db.execute(
        "SELECT address, phone, extra FROM institutes WHERE name = '吉林大学'"
    ).fetchone()
    assert stored[0] == "长春市南湖大路5372号"
    assert stored[1] == "0431-85166000"
    assert json.loads(stored[2]) == {"备注": "985"}


def write_enterprises(path, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["企业名称", "联系电话", "所属行业"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_enterprise_listed_twice_is_unchanged_on_reimport(db, tmp_path):
    rows = [
        ["长春德茂汽车零部件有限公司", "13800000001", "汽车零部件"],
        ["长春德茂汽车零部件有限公司", "13800000002", None],
    ]
    path = write_enterprises(tmp_path / "企业.xlsx", rows)
    [first] = import_paths(db, [path], kind="enterprises").sheets
    assert (first.inserted, first.updated, first.unchanged) == (1, 1, 0)

    [again] = import_paths(db, [path], kind="enterprises").sheets
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    stored = db.execute("SELECT phone, industry FROM enterprises").fetchall()
    assert stored == [("13800000002", "汽车零部件")]

    rows[0][2] = "汽车电子"
    write_enterprises(path, rows)
    [changed] = import_paths(db, [path], kind="enterprises").sheets
    assert (changed.inserted, changed.updated, changed.unchanged) == (0, 2, 0)
    [final] = import_paths(db, [path], kind="enterprises").sheets
    assert (final.inserted, final.updated, final.unchanged) == (0, 0, 2)


def write_experts(path, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["专家编号", "姓名", "工作单位", "职称", "联系电话", "电子邮箱"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_merged_expert_stays_merged_on_reimport(db, tmp_path):
    from kjd.match.merge import merge_records

    rows = [
        ["ZJ001", "王建国", "吉林大学", "教授", None, None],
        ["ZJ002", "王建国", "吉林大学", None, "13900000002", None],
    ]
    path = write_experts(tmp_path / "专家.xlsx", rows)
    import_paths(db, [path], kind="experts")
    kept, merged = [row[0] for row in db.execute("SELECT id FROM experts ORDER BY id")]
    merge_records(db, "expert", kept, merged)
    db.conn.commit()

    def reimport():
        write_experts(path, rows)
        [sheet] = import_paths(db, [path], kind="experts").sheets
        return sheet.inserted, sheet.updated, sheet.unchanged

    def warned():
        codes = [row[0] for row in db.execute("SELECT code FROM import_warnings")]
        return codes.count("merged-row")

    assert reimport() == (0, 0, 2)
    stored = db.execute("SELECT id, title, phone, email FROM experts").fetchall()
    assert stored == [(kept, "教授", "13900000002", None)]

    # a change that finds nothing blank to fill leaves the kept record alone
    rows[1][3] = "研究员"
    assert reimport() == (0, 0, 2)
    assert warned() == 0

    # a filled cell fills the kept record's blank, with a warning
    rows[1][5] = "wjg@jlu.edu.cn"
    assert reimport() == (0, 1, 1)
    assert warned() == 1
    stored = db.execute("SELECT id, title, email FROM experts").fetchall()
    assert stored == [(kept, "教授", "wjg@jlu.edu.cn")]

    # a corrected unit is still the merged row, found by its 编号 and name
    rows[1][2] = "吉林大学化学学院"
    reimport()
    assert db.execute("SELECT count(*) FROM experts").fetchone()[0] == 1

    # a change to the kept row keeps the phone that the merge filled in
    rows[0][3] = "教授、博导"
    reimport()
    stored = db.execute("SELECT title, phone, email FROM experts").fetchall()
    assert stored == [("教授、博导", "13900000002", "wjg@jlu.edu.cn")]
    assert reimport() == (0, 0, 2)


def test_academician_cells_read_alike_in_xlsx_and_csv(db, tmp_path):
    cells = ["1.0", "否（非院士）", "中国工程院院士", "x", None]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "工作单位", "职称", "是否院士"])
    for number, cell in enumerate(cells):
        sheet.append([f"甲{number}", "吉林大学", "教授", cell])
    workbook.save(tmp_path / "专家.xlsx")
    csv_rows = ["姓名,工作单位,职称,是否院士"] + [
        f"乙{number},吉林大学,教授,{cell or ''}" for number, cell in enumerate(cells)
    ]
    (tmp_path / "专家.csv").write_text("\n".join(csv_rows), encoding="utf-8")

    for name in ("专家.xlsx", "专家.csv"):
        import_paths(db, [tmp_path / name], kind="experts")
        rows = db.execute(
            "SELECT name, is_academician, extra FROM experts WHERE source_file = ? "
            "ORDER BY name",
            [name],
        ).fetchall()
        assert [row[1] for row in rows] == [1, 0, 1, 0, 0], name
        assert json.loads(rows[3][2]) == {"是否院士": "x"}, name
    codes = [row[0] for row in db.execute("SELECT code FROM import_warnings")]
    assert codes.count("bool-unreadable") == 2


def test_headcount_too_large_for_sqlite_is_a_warning(db, tmp_path):
    path = tmp_path / "需求.csv"
    path.write_text(
        "需求名称,需求描述,需求人数\n招聘工程师,汽车电子,123456789012345678901\n",
        encoding="utf-8",
    )
    [sheet] = import_paths(db, [path], kind="demands").sheets
    assert (sheet.inserted, sheet.rejected) == (1, 0)
    stored = db.execute("SELECT headcount, extra FROM demands").fetchone()
    assert stored[0] is None
    assert json.loads(stored[1]) == {"需求人数": "123456789012345678901"}


def test_first_description_of_known_body_is_inserted(db, tmp_path):
    demands = [
        [1, None, "长春德茂汽车零部件有限公司", "压铸件气孔控制", "真空压铸", None]
    ]
    import_paths(db, [write_demands(tmp_path / "需求.xlsx", demands)])
    enterprises = [["长春德茂汽车零部件有限公司", "13800000001", "汽车零部件"]]
    path = write_enterprises(tmp_path / "企业.xlsx", enterprises)
    [sheet] = import_paths(db, [path], kind="enterprises").sheets
    assert (sheet.inserted, sheet.updated) == (1, 0)

    # 吉林大学 exists from the start: data/aliases.csv seeds it
    institutes = [["吉林大学", "长春市前进大街2699号", "0431-85166000", None]]
    path = write_institutes(tmp_path / "院所.xlsx", institutes)
    [sheet] = import_paths(db, [path], kind="institutes").sheets
    assert (sheet.inserted, sheet.updated) == (1, 0)
    assert (
        db.execute(
            "SELECT count(*) FROM institutes WHERE name = '吉林大学'"
        ).fetchone()[0]
        == 1
    )


def test_dropping_a_duplicate_row_applies_the_row_left(db, tmp_path):
    both = [
        ["长春德茂汽车零部件有限公司", "13800000001", "汽车零部件"],
        ["长春德茂汽车零部件有限公司", "13800000002", "汽车电子"],
    ]
    path = write_enterprises(tmp_path / "企业.xlsx", both)
    import_paths(db, [path], kind="enterprises")
    import_paths(db, [path], kind="enterprises")

    write_enterprises(path, both[:1])
    [sheet] = import_paths(db, [path], kind="enterprises").sheets
    assert (sheet.inserted, sheet.updated, sheet.unchanged) == (0, 1, 0)
    stored = db.execute("SELECT phone, industry FROM enterprises").fetchall()
    assert stored == [("13800000001", "汽车零部件")]
    [again] = import_paths(db, [path], kind="enterprises").sheets
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)


def test_swapping_duplicate_rows_applies_the_last_one(db, tmp_path):
    rows = [
        ["吉林大学", "长春市前进大街2699号", "0431-85166000", None],
        ["吉林大学", "长春市南湖大路5372号", "0431-85166001", None],
    ]
    path = write_institutes(tmp_path / "院所.xlsx", rows)
    import_paths(db, [path], kind="institutes")

    write_institutes(path, rows[::-1])
    [sheet] = import_paths(db, [path], kind="institutes").sheets
    assert (sheet.inserted, sheet.updated, sheet.unchanged) == (0, 1, 1)
    stored = db.execute(
        "SELECT address, phone FROM institutes WHERE name = '吉林大学'"
    ).fetchone()
    assert stored == ("长春市前进大街2699号", "0431-85166000")


def test_placeholder_credit_codes_identify_no_enterprise(db, tmp_path):
    path = tmp_path / "企业.csv"
    path.write_text(
        "企业名称,统一社会信用代码\n"
        "长春甲科技有限公司,无\n长春乙科技有限公司,无\n"
        "长春丙科技有限公司,/\n长春丁科技有限公司,长春丁科技有限公司\n",
        encoding="utf-8",
    )
    [sheet] = import_paths(db, [path], kind="enterprises").sheets
    assert (sheet.inserted, sheet.rejected) == (4, 0)
    rows = db.execute("SELECT name, credit_code, extra FROM enterprises ORDER BY id")
    rows = rows.fetchall()
    assert [row[1] for row in rows] == [None, None, None, None]
    assert json.loads(rows[0][2]) == {"统一社会信用代码": "无"}
    codes = [row[0] for row in db.execute("SELECT code FROM import_warnings")]
    assert codes.count("credit-code-missing") == 4


def test_blank_kind_keeps_the_kind_a_roster_gave(db, tmp_path):
    def write(path, kind):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["单位名称", "单位类型", "联系电话"])
        sheet.append(["长春博超汽车零部件股份有限公司", kind, "0431-80000001"])
        workbook.save(path)
        return path

    import_paths(db, [write(tmp_path / "v1.xlsx", "科研院所")], kind="institutes")
    [sheet] = import_paths(
        db, [write(tmp_path / "v2.xlsx", None)], kind="institutes"
    ).sheets
    assert sheet.updated == 1
    kind = db.execute(
        "SELECT kind FROM institutes WHERE name = '长春博超汽车零部件股份有限公司'"
    ).fetchone()[0]
    assert kind == "科研院所"


def test_infinite_extra_amount_keeps_valid_json(db, tmp_path):
    path = tmp_path / "需求.csv"
    path.write_text(
        "需求名称,需求描述,合同金额\n甲,描述,inf\n乙,描述," + "9" * 400 + "\n",
        encoding="utf-8",
    )
    [sheet] = import_paths(db, [path], kind="demands").sheets
    assert sheet.inserted == 2
    valid = db.execute("SELECT json_valid(extra) FROM demands").fetchall()
    assert valid == [(1,), (1,)]
    extra = json.loads(db.execute("SELECT extra FROM demands").fetchone()[0])
    assert extra == {"合同金额": None, "合同金额_原文": "inf"}


def test_institute_short_name_keeps_full_name(db, tmp_path):
    rows = [["吉大", "长春市前进大街2699号", "0431-85166000", None]]
    path = write_institutes(tmp_path / "院所.xlsx", rows)
    [sheet] = import_paths(db, [path], kind="institutes").sheets
    assert (sheet.inserted, sheet.updated) == (1, 0)
    stored = db.execute(
        "SELECT name, phone FROM institutes WHERE phone IS NOT NULL"
    ).fetchall()
    assert stored == [("吉林大学", "0431-85166000")]


def test_institute_on_two_sheets_reimports_unchanged(db, tmp_path):
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "名录一"
    second = workbook.create_sheet("名录二")
    for sheet, phone in ((first, "0431-85166000"), (second, "0431-85166001")):
        sheet.append(["单位名称", "地址", "联系电话"])
        sheet.append(["长春测试研究院", "长春市", phone])
    path = tmp_path / "院所.xlsx"
    workbook.save(path)
    import_paths(db, [path], kind="institutes")

    sheets = import_paths(db, [path], kind="institutes").sheets
    assert [(sheet.updated, sheet.unchanged) for sheet in sheets] == [(0, 1), (0, 1)]
    stored = db.execute(
        "SELECT phone FROM institutes WHERE name = '长春测试研究院'"
    ).fetchone()
    assert stored == ("0431-85166001",)
    counts = db.execute(
        "SELECT updated, unchanged FROM imports ORDER BY id DESC LIMIT 2"
    ).fetchall()
    assert counts == [(0, 1), (0, 1)]


def test_deadline_invalid_number_keeps_text(db, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["需求名称", "需求描述", "完成时限"])
    for title, deadline in (("甲", 2022.3), ("乙", 2025.1), ("丙", 60)):
        sheet.append([title, "描述", deadline])
    workbook.save(tmp_path / "需求.xlsx")
    import_paths(db, [tmp_path / "需求.xlsx"], kind="demands")
    rows = db.execute(
        "SELECT title, deadline, deadline_raw FROM demands ORDER BY id"
    ).fetchall()
    assert rows == [
        ("甲", "2022-03", None),
        ("乙", "2025-01", "2025.1"),
        ("丙", None, "60"),
    ]
    codes = [row[0] for row in db.execute("SELECT code FROM import_warnings")]
    assert sorted(code for code in codes if code.startswith("date")) == [
        "date-ambiguous",
        "date-unreadable",
    ]


def test_kept_expert_change_keeps_merge_values(db, tmp_path):
    from kjd.match.merge import merge_records

    rows = [
        ["ZJ001", "王建国", "吉林大学", "教授", None, None],
        ["ZJ002", "王建国", "吉林大学", None, "13900000002", "wjg@jlu.edu.cn"],
    ]
    path = write_experts(tmp_path / "专家.xlsx", rows)
    import_paths(db, [path], kind="experts")
    kept, merged = [row[0] for row in db.execute("SELECT id FROM experts ORDER BY id")]
    merge_records(db, "expert", kept, merged)
    db.conn.commit()

    rows[0][3] = "教授、博导"
    write_experts(path, rows)
    [sheet] = import_paths(db, [path], kind="experts").sheets
    assert (sheet.inserted, sheet.updated, sheet.unchanged) == (0, 1, 1)
    stored = db.execute("SELECT id, title, phone, email FROM experts").fetchall()
    assert stored == [(kept, "教授、博导", "13900000002", "wjg@jlu.edu.cn")]


def test_enterprise_dropped_repeat_applies_last_row(db, tmp_path):
    first = ["长春德茂汽车零部件有限公司", "13800000001", "汽车零部件"]
    second = ["长春德茂汽车零部件有限公司", "13800000002", "汽车电子"]
    path = write_enterprises(tmp_path / "企业.xlsx", [first, second, first])
    import_paths(db, [path], kind="enterprises")

    write_enterprises(path, [first, second])
    [sheet] = import_paths(db, [path], kind="enterprises").sheets
    assert (sheet.updated, sheet.unchanged) == (1, 1)
    stored = db.execute("SELECT phone, industry FROM enterprises").fetchall()
    assert stored == [("13800000002", "汽车电子")]


def test_merged_institute_stays_merged_on_reimport(db, tmp_path):
    from kjd.match.merge import merge_records

    rows = [
        ["吉林省测试研究院", "长春市", "0431-80000001", None],
        ["吉林省测试研究所", "长春市", None, "所"],
    ]
    path = write_institutes(tmp_path / "院所.xlsx", rows)
    import_paths(db, [path], kind="institutes")
    ids = dict(
        db.execute("SELECT name, id FROM institutes WHERE name LIKE '吉林省测试%'")
    )
    merge_records(db, "institute", ids["吉林省测试研究院"], ids["吉林省测试研究所"])
    db.conn.commit()

    import_paths(db, [path], kind="institutes")
    [sheet] = import_paths(db, [path], kind="institutes").sheets
    assert (sheet.inserted, sheet.updated, sheet.unchanged) == (0, 0, 2)
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM institutes WHERE name LIKE '吉林省测试%'"
        )
    ]
    assert names == ["吉林省测试研究院"]


@pytest.mark.parametrize("order", ["kept first", "merged first", "merged only"])
def test_merged_institute_row_fills_blanks_and_never_fails(db, tmp_path, order):
    from kjd.match.merge import merge_records

    kept_row = ["吉林省测试研究院", "长春市", "0431-80000001", None]
    merged_row = ["吉林省测试研究所", "长春市南关区", "0431-80000002", "所"]
    path = write_institutes(tmp_path / "院所.xlsx", [kept_row, merged_row])
    import_paths(db, [path], kind="institutes")
    ids = dict(
        db.execute("SELECT name, id FROM institutes WHERE name LIKE '吉林省测试%'")
    )
    merge_records(db, "institute", ids["吉林省测试研究院"], ids["吉林省测试研究所"])
    db.conn.commit()

    rows = {
        "kept first": [kept_row, merged_row],
        "merged first": [merged_row, kept_row],
        "merged only": [merged_row],
    }[order]
    write_institutes(path, rows)
    for _ in range(2):
        [sheet] = import_paths(db, [path], kind="institutes").sheets
        assert sheet.status == "ok", sheet.message
    assert (sheet.inserted, sheet.updated) == (0, 0)
    stored = db.execute(
        "SELECT name, address, phone FROM institutes WHERE name LIKE '吉林省测试%'"
    ).fetchall()
    assert stored == [("吉林省测试研究院", "长春市", "0431-80000001")]


def test_merged_enterprise_row_fills_blanks_only(db, tmp_path):
    from kjd.match.merge import merge_records

    rows = [
        ["长春星河源光电科技有限公司", "13800000001", None],
        ["长春星河远光电科技有限公司", "13800000002", "光电子器件"],
    ]
    path = write_enterprises(tmp_path / "企业.xlsx", rows)
    import_paths(db, [path], kind="enterprises")
    kept, merged = [
        row[0] for row in db.execute("SELECT id FROM enterprises ORDER BY id")
    ]
    merge_records(db, "enterprise", kept, merged)
    db.conn.commit()

    for _ in range(2):
        [sheet] = import_paths(db, [path], kind="enterprises").sheets
    assert (sheet.inserted, sheet.updated) == (0, 0)
    stored = db.execute("SELECT id, name, phone, industry FROM enterprises").fetchall()
    assert stored == [(kept, "长春星河源光电科技有限公司", "13800000001", "光电子器件")]


def test_institute_alias_row_is_same_institute(db, tmp_path):
    rows = [
        ["吉林大学", "长春市前进大街2699号", "0431-85166000", None],
        ["吉大", None, "0431-85166001", None],
    ]
    path = write_institutes(tmp_path / "院所.xlsx", rows)
    [sheet] = import_paths(db, [path], kind="institutes").sheets
    assert sheet.status == "ok"
    stored = db.execute(
        "SELECT name, address, phone FROM institutes WHERE name IN ('吉林大学', '吉大')"
    ).fetchall()
    assert stored == [("吉林大学", "长春市前进大街2699号", "0431-85166001")]


def test_kept_expert_found_after_merged_row(db, tmp_path):
    from kjd.match.merge import merge_records

    rows = [
        ["ZJ002", "王建国", "吉林大学化学学院", None, "13900000002", None],
        ["ZJ001", "王建国", "吉林大学", "教授", None, "wjg@jlu.edu.cn"],
    ]
    path = write_experts(tmp_path / "专家.xlsx", rows)
    import_paths(db, [path], kind="experts")
    ids = dict(db.execute("SELECT ref, id FROM experts"))
    merge_records(db, "expert", ids["ZJ001"], ids["ZJ002"])
    db.conn.commit()

    rows[1][2] = "吉林大学物理学院"
    write_experts(path, rows)
    [sheet] = import_paths(db, [path], kind="experts").sheets
    assert (sheet.inserted, sheet.updated, sheet.unchanged) == (0, 1, 1)
    stored = db.execute("SELECT id, institute_name, phone FROM experts").fetchall()
    assert stored == [(ids["ZJ001"], "吉林大学物理学院", "13900000002")]
