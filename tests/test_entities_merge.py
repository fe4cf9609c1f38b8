"""Duplicate pairs, merges that move every reference, and exact undo."""

import pytest

from kjd.db import open_db, transaction
from kjd.errors import UsageError
from kjd.match.dedupe import find_duplicates, record_distinct
from kjd.match.entities import resolve_enterprise, resolve_institutes
from kjd.match.merge import merge_records, undo_merge

TABLES = (
    "institutes",
    "enterprises",
    "experts",
    "projects",
    "project_institutes",
    "demands",
    "aliases",
    "matches",
    "decisions",
    "meetings",
    "outcomes",
    "resolution_queue",
    "entity_decisions",
)


@pytest.fixture
def db():
    database = open_db(":memory:")
    yield database
    database.close()


def _state(db):
    return {
        table: list(db.query(f"SELECT * FROM [{table}] ORDER BY rowid"))
        for table in TABLES
    }


def _two_enterprises(db):
    """Insert two spellings of one company directly, each with a demand."""
    first = db.execute(
        "INSERT INTO enterprises (name, natural_key, city) "
        "VALUES ('长春德茂汽车零部件有限公司', 'k1', '长春市')"
    ).lastrowid
    second = db.execute(
        "INSERT INTO enterprises (name, natural_key, phone) "
        "VALUES ('德茂汽车零部件（长春）有限公司', 'k2', '13800000011')"
    ).lastrowid
    db.execute(
        "INSERT INTO demands (natural_key, enterprise_id, title) "
        "VALUES ('d1', ?, '需求一')",
        [first],
    )
    demand = db.execute(
        "INSERT INTO demands (natural_key, enterprise_id, title) "
        "VALUES ('d2', ?, '需求二')",
        [second],
    ).lastrowid
    return first, second, demand


def test_find_duplicates_enterprises_pair_and_rule(db):
    first, second, _ = _two_enterprises(db)
    db.execute(
        "INSERT INTO enterprises (name, natural_key) "
        "VALUES ('长春恒昌汽车零部件有限公司', 'k3')"
    )
    pairs = find_duplicates(db, "enterprise")
    assert [(pair.id_a, pair.id_b, pair.score, pair.rule) for pair in pairs] == [
        (first, second, 100.0, "same_brand")
    ]
    assert pairs[0].cluster == 1


def test_find_duplicates_skips_pairs_decided_distinct(db):
    first, second, _ = _two_enterprises(db)
    record_distinct(db, "enterprise", second, first)
    assert find_duplicates(db, "enterprise") == []


def test_find_duplicates_other_credit_codes_never_pair(db):
    db.execute(
        "INSERT INTO enterprises (name, natural_key, credit_code) VALUES "
        "('长春德茂汽车零部件有限公司', 'a', '91220101MA0Y00002X'), "
        "('长春德茂汽车零部件股份有限公司', 'b', '91220101MA0Y000031')"
    )
    assert find_duplicates(db, "enterprise") == []


def test_find_duplicates_includes_queued_review_pair(db):
    resolve_enterprise(db, "吉林省恒昌新能源科技有限公司")
    resolve_enterprise(db, "吉林省恒昌新材料科技有限公司")
    pairs = find_duplicates(db, "enterprise")
    assert [(pair.rule, pair.source, pair.score) for pair in pairs] == [
        ("same_brand_other_industry", "queue", 75.0)
    ]


def test_find_duplicates_experts_by_name_and_institute(db):
    institute = resolve_institutes(db, "吉林大学")[0].entity_id
    db.execute(
        "INSERT INTO experts (name, natural_key, institute_id, research_fields) VALUES "
        "('专家001', 'e1', ?, '稀土镁合金'), ('专家001', 'e2', ?, '镁合金'), "
        "('专家001', 'e3', NULL, '水稻育种'), ('专家002', 'e4', ?, '稀土镁合金')",
        [institute, institute, institute],
    )
    pairs = find_duplicates(db, "expert")
    assert [(pair.id_a, pair.id_b, pair.rule) for pair in pairs] == [
        (1, 2, "same_name_same_institute")
    ]


def test_merge_moves_references_and_keeps_alias(db):
    first, second, demand = _two_enterprises(db)
    merge_id = merge_records(db, "enterprise", first, second)
    assert db.execute(
        "SELECT enterprise_id FROM demands WHERE id = ?", [demand]
    ).fetchone() == (first,)
    assert db.execute("SELECT count(*) FROM enterprises").fetchone() == (1,)
    assert db.execute("SELECT phone FROM enterprises").fetchone() == ("13800000011",)
    link = resolve_enterprise(db, "德茂汽车零部件（长春）有限公司")
    assert link.entity_id == first
    assert link.match_rule == "alias"
    assert merge_id == 1


def test_undo_restores_previous_state_exactly(db):
    first, second, demand = _two_enterprises(db)
    institute_a = resolve_institutes(db, "某某理工大学")[0].entity_id
    institute_b = resolve_institutes(db, "某某理工大学材料学院", whole_name=True)[
        0
    ].entity_id
    project = db.execute(
        "INSERT INTO projects (title, natural_key, institute_id) "
        "VALUES ('成果', 'p', ?)",
        [institute_b],
    ).lastrowid
    db.execute(
        "INSERT INTO project_institutes (project_id, institute_id, position) "
        "VALUES (?, ?, 0), (?, ?, 1)",
        [project, institute_a, project, institute_b],
    )
    db.execute(
        "INSERT INTO matches (demand_id, target_type, target_id, score) "
        "VALUES (?, 'institute', ?, 50), (?, 'institute', ?, 60)",
        [demand, institute_a, demand, institute_b],
    )
    db.execute(
        "INSERT INTO decisions (demand_id, target_type, target_id, decision) "
        "VALUES (?, 'institute', ?, 'accepted')",
        [demand, institute_b],
    )
    before = _state(db)
    with transaction(db):
        enterprise_merge = merge_records(db, "enterprise", first, second)
        institute_merge = merge_records(db, "institute", institute_a, institute_b)
    assert db.execute(
        "SELECT institute_id FROM project_institutes WHERE project_id = ?", [project]
    ).fetchall() == [(institute_a,)]
    assert db.execute(
        "SELECT target_id, score FROM matches WHERE target_type = 'institute'"
    ).fetchall() == [(institute_a, 50.0)]
    assert db.execute("SELECT target_id FROM decisions").fetchall() == [(institute_a,)]
    with transaction(db):
        undo_merge(db, institute_merge)
        undo_merge(db, enterprise_merge)
    assert _state(db) == before


def test_undo_twice_is_rejected(db):
    first, second, _ = _two_enterprises(db)
    merge_id = merge_records(db, "enterprise", first, second)
    undo_merge(db, merge_id)
    with pytest.raises(UsageError):
        undo_merge(db, merge_id)


def test_undo_out_of_order_is_rejected(db):
    first, second, _ = _two_enterprises(db)
    third = db.execute(
        "INSERT INTO enterprises (name, natural_key) VALUES ('德茂汽车零部件', 'k3')"
    ).lastrowid
    earlier = merge_records(db, "enterprise", first, second)
    merge_records(db, "enterprise", third, first)
    with pytest.raises(UsageError, match="请先撤销"):
        undo_merge(db, earlier)


def test_undo_after_id_reuse_is_rejected(db):
    first, second = (
        resolve_enterprise(db, name).entity_id
        for name in ("长春甲科技有限公司", "吉林乙生物有限公司")
    )
    merge_id = merge_records(db, "enterprise", first, second)
    newcomer = resolve_enterprise(db, "白城丙农业有限公司").entity_id
    assert newcomer == second  # SQLite reuses the highest free id
    with pytest.raises(UsageError, match="已被之后新建的“白城丙农业有限公司”使用"):
        undo_merge(db, merge_id)
    names = [row[0] for row in db.execute("SELECT name FROM enterprises ORDER BY id")]
    assert names == ["长春甲科技有限公司", "白城丙农业有限公司"]
