"""Several rosters at once: institute rosters first, short names as aliases."""

import pytest

from kjd.db import open_db
from kjd.importers import import_paths
from kjd.match.entities import resolve_institutes
from kjd.match.merge import undo_merge

# Invented bodies, so that none of them is among the seeded institutes.
PROJECTS = (
    "成果名称,完成单位\n"
    "中药提取新工艺,德茂医大\n"
    "仿生表面材料,吉林德茂大学恒昌仿生研究院\n"
)
INSTITUTES = (
    "单位名称,简称\n"
    "吉林德茂医科大学,德茂医大\n"
    "吉林德茂大学,德茂大学\n"
    "吉林德茂大学恒昌仿生研究院,恒昌仿生院\n"
)


@pytest.fixture
def db(db_path):
    return open_db(db_path)


@pytest.fixture
def rosters(tmp_path):
    projects = tmp_path / "a_成果.csv"
    projects.write_text(PROJECTS, encoding="utf-8")
    institutes = tmp_path / "b_院所.csv"
    institutes.write_text(INSTITUTES, encoding="utf-8")
    return projects, institutes


def project_institutes(db):
    return db.execute(
        "SELECT p.title, i.name FROM projects p "
        "JOIN institutes i ON i.id = p.institute_id ORDER BY p.source_row"
    ).fetchall()


def institute_count(db, name):
    sql = "SELECT count(*) FROM institutes WHERE name = ?"
    return db.execute(sql, [name]).fetchone()[0]


def test_institute_roster_loads_first(db, rosters):
    projects, institutes = rosters
    report = import_paths(db, [projects, institutes])
    # The report keeps the order given; the writes followed the load order.
    assert [sheet.kind for sheet in report.sheets] == ["projects", "institutes"]
    assert project_institutes(db) == [
        ("中药提取新工艺", "吉林德茂医科大学"),
        ("仿生表面材料", "吉林德茂大学恒昌仿生研究院"),
    ]
    assert institute_count(db, "德茂医大") == 0
    assert db.execute("SELECT count(*) FROM merges").fetchone()[0] == 0


def test_folder_loads_institutes_before_projects(db, rosters):
    projects, _ = rosters
    import_paths(db, [projects.parent])
    assert project_institutes(db)[0] == ("中药提取新工艺", "吉林德茂医科大学")
    assert institute_count(db, "德茂医大") == 0


def test_roster_keeps_a_whole_name_whole(db, rosters):
    """吉林德茂大学恒昌仿生研究院 is its own institute, not a department."""
    _, institutes = rosters
    sheet = import_paths(db, [institutes]).sheets[0]
    assert (sheet.inserted, sheet.updated) == (3, 0)
    names = db.execute(
        "SELECT name, short_names FROM institutes WHERE source_file IS NOT NULL "
        "ORDER BY source_row"
    ).fetchall()
    assert names == [
        ("吉林德茂医科大学", "德茂医大"),
        ("吉林德茂大学", "德茂大学"),
        ("吉林德茂大学恒昌仿生研究院", "恒昌仿生院"),
    ]


def test_short_names_become_aliases(db, rosters):
    _, institutes = rosters
    import_paths(db, [institutes])
    aliases = db.execute(
        "SELECT a.alias, i.name FROM aliases a JOIN institutes i ON i.id = a.entity_id "
        "WHERE a.source = 'roster' ORDER BY a.alias"
    ).fetchall()
    assert sorted(aliases) == sorted(
        [
            ("德茂医大", "吉林德茂医科大学"),
            ("德茂大学", "吉林德茂大学"),
            ("恒昌仿生院", "吉林德茂大学恒昌仿生研究院"),
        ]
    )
    links = resolve_institutes(db, "恒昌仿生院")
    assert [(link.name, link.match_rule) for link in links] == [
        ("吉林德茂大学恒昌仿生研究院", "alias")
    ]


def test_orphan_from_short_name_is_merged(db, rosters):
    """Achievements imported alone first create 德茂医大; the roster absorbs it."""
    projects, institutes = rosters
    import_paths(db, [projects])
    assert institute_count(db, "德茂医大") == 1
    orphan_id = db.execute(
        "SELECT id FROM institutes WHERE name = '德茂医大'"
    ).fetchone()[0]

    sheet = import_paths(db, [institutes]).sheets[0]
    assert institute_count(db, "德茂医大") == 0
    assert project_institutes(db)[0] == ("中药提取新工艺", "吉林德茂医科大学")
    kept_id = db.execute(
        "SELECT id FROM institutes WHERE name = '吉林德茂医科大学'"
    ).fetchone()[0]
    linked = db.execute(
        "SELECT pi.institute_id FROM project_institutes pi "
        "JOIN projects p ON p.id = pi.project_id WHERE p.title = '中药提取新工艺'"
    ).fetchall()
    assert linked == [(kept_id,)]
    merge = db.execute("SELECT id, kept_id, merged_id FROM merges").fetchall()
    assert merge == [(1, kept_id, orphan_id)]
    assert sheet.warning_messages == [
        "第 2 行：此前按简称“德茂医大”自动建立的单位记录已并入“吉林德茂医科大学”"
        "（kjd dedupe --undo 1 可撤销）"
    ]
    assert resolve_institutes(db, "德茂医大")[0].name == "吉林德茂医科大学"

    undo_merge(db, 1)
    assert project_institutes(db)[0] == ("中药提取新工艺", "德茂医大")


def test_short_name_of_another_institute_is_not_moved(db, tmp_path):
    first = tmp_path / "院所1.csv"
    first.write_text("单位名称,简称\n吉林德茂医科大学,德茂\n", encoding="utf-8")
    second = tmp_path / "院所2.csv"
    second.write_text("单位名称,简称\n吉林德茂农业大学,德茂\n", encoding="utf-8")
    import_paths(db, [first])
    sheet = import_paths(db, [second]).sheets[0]
    assert sheet.warnings == 1
    assert sheet.warning_messages[0].startswith(
        "第 2 行：简称“德茂”已是另一单位的别名，未改动"
    )
    link = resolve_institutes(db, "德茂")[0]
    assert link.name == "吉林德茂医科大学"
