"""Match runs: explained scores, decisions that survive re-runs, only-changed runs."""

import json

import pytest

from kjd.match.runs import run_matching

from .match_fixtures import build_matching_db


@pytest.fixture
def db(tmp_path):
    return build_matching_db(tmp_path / "kjd.db")


def ranked(db, demand_ref, target_type):
    return [
        row[0]
        for row in db.execute(
            "SELECT COALESCE(p.ref, x.ref) FROM matches m "
            "JOIN demands d ON d.id = m.demand_id "
            "LEFT JOIN projects p ON m.target_type = 'project' AND p.id = m.target_id "
            "LEFT JOIN experts x ON m.target_type = 'expert' AND x.id = m.target_id "
            "WHERE d.ref = ? AND m.target_type = ? AND m.status != 'rejected' "
            "ORDER BY m.rank",
            [demand_ref, target_type],
        ).fetchall()
    ]


def test_run_matching_ranks_the_right_achievement_first(db):
    run_matching(db, threshold=0)
    assert ranked(db, "D1", "project")[0] == "A1"
    assert ranked(db, "D2", "project")[0] == "A2"
    assert ranked(db, "D3", "project")[0] == "A3"
    assert ranked(db, "D1", "expert")[0] == "E1"


def test_run_matching_parts_add_up_to_score(db):
    run_matching(db, threshold=0)
    rows = db.execute("SELECT score, parts FROM matches").fetchall()
    assert rows
    for score, parts in rows:
        assert round(sum(json.loads(parts).values()), 1) == pytest.approx(
            score, abs=1e-6
        )


def test_run_matching_stores_shared_terms(db):
    run_matching(db, threshold=0)
    terms = db.execute(
        "SELECT m.shared_terms FROM matches m JOIN projects p ON p.id = m.target_id "
        "WHERE m.demand_id = 1 AND m.target_type = 'project' AND p.ref = 'A1'"
    ).fetchone()[0]
    assert "镁合金" in json.loads(terms)


def test_run_matching_unrelated_demand_gets_nothing(db):
    result = run_matching(db, threshold=20)
    count = db.execute("SELECT count(*) FROM matches WHERE demand_id = 4").fetchone()[0]
    assert count == 0
    assert result.demands_without_match >= 1


def test_run_matching_threshold_keeps_scores_at_or_above(db):
    run_matching(db, threshold=0)
    scores = sorted(r[0] for r in db.execute("SELECT score FROM matches").fetchall())
    cut = scores[len(scores) // 2]
    db2 = db
    db2.execute("DELETE FROM matches")
    run_matching(db2, threshold=cut)
    kept = [r[0] for r in db2.execute("SELECT score FROM matches").fetchall()]
    assert min(kept) >= cut
    assert cut in kept


def decide(db, demand_id, target_type, target_id, decision):
    db.execute(
        "INSERT INTO decisions (demand_id, target_type, target_id, decision) "
        "VALUES (?,?,?,?)",
        [demand_id, target_type, target_id, decision],
    )
    status = {"accepted": "accepted", "rejected": "rejected"}[decision]
    db.execute(
        "UPDATE matches SET status = ? "
        "WHERE demand_id = ? AND target_type = ? AND target_id = ?",
        [status, demand_id, target_type, target_id],
    )


def test_rejected_pair_stays_rejected_after_rerun(db):
    run_matching(db, threshold=0)
    decide(db, 1, "project", 1, "rejected")
    run_matching(db, threshold=0)
    rows = db.execute(
        "SELECT status FROM matches WHERE demand_id = 1 AND target_type = 'project' "
        "AND target_id = 1"
    ).fetchall()
    assert rows == [("rejected",)]
    assert "A1" not in ranked(db, "D1", "project")


def test_accepted_pair_never_dropped_by_rerun(db):
    run_matching(db, threshold=0)
    low = db.execute(
        "SELECT target_id FROM matches WHERE demand_id = 1 AND target_type = 'project' "
        "ORDER BY score LIMIT 1"
    ).fetchone()[0]
    decide(db, 1, "project", low, "accepted")
    run_matching(db, threshold=99, limit=1)
    status = db.execute(
        "SELECT status FROM matches WHERE demand_id = 1 AND target_type = 'project' "
        "AND target_id = ?",
        [low],
    ).fetchone()
    assert status == ("accepted",)


def test_only_changed_second_run_writes_nothing(db):
    first = run_matching(db, threshold=0, only_changed=True)
    runs_before = db.execute("SELECT count(*) FROM match_runs").fetchone()[0]
    second = run_matching(db, threshold=0, only_changed=True)
    assert first.demands == 4
    assert second.run_id is None
    assert second.demands == 0
    assert second.demands_unchanged == 4
    assert db.execute("SELECT count(*) FROM match_runs").fetchone()[0] == runs_before


def test_only_changed_rescores_an_updated_demand(db):
    run_matching(db, threshold=0, only_changed=True)
    db.execute("UPDATE demands SET description = '镁合金压铸件气孔' WHERE ref = 'D2'")
    result = run_matching(db, threshold=0, only_changed=True)
    assert result.demands == 1
    assert result.demands_unchanged == 3


def test_run_matching_demand_refs_limits_the_run(db):
    run_matching(db, threshold=0)
    before = db.execute("SELECT count(*) FROM matches WHERE demand_id != 1").fetchone()[
        0
    ]
    result = run_matching(db, demand_refs=["D1"], threshold=0)
    after = db.execute("SELECT count(*) FROM matches WHERE demand_id != 1").fetchone()[
        0
    ]
    assert result.demands == 1
    assert before == after


def test_run_matching_region_selects_demands(db):
    result = run_matching(db, region="吉林市", threshold=0)
    assert result.demands == 1


def test_run_matching_unknown_demand_raises(db):
    from kjd.errors import NotFound

    with pytest.raises(NotFound):
        run_matching(db, demand_refs=["D999"])


def test_talent_demand_matches_experts_not_projects(db):
    db["demands"].insert(
        {
            "id": 5,
            "ref": "D5",
            "natural_key": "D5",
            "kind": "talent",
            "title": "引进燃料电池方向博士",
            "description": "制氢与燃料电池研发人才",
            "discipline": "材料科学",
            "degree": "博士",
        }
    )
    run_matching(db, threshold=0)
    kinds = {
        row[0]
        for row in db.execute(
            "SELECT target_type FROM matches WHERE demand_id = 5"
        ).fetchall()
    }
    assert "expert" in kinds
    assert "project" not in kinds
    assert ranked(db, "D5", "expert")[0] == "E3"


def test_field_filter_classifies_unlabelled_demands(db):
    from kjd.match.runs import MatchOptions, select_demands

    chosen = select_demands(db, MatchOptions(field="新材料"))
    assert 1 in chosen
    assert 2 in chosen
    assert 4 not in chosen


def test_field_filter_uses_field_column_when_present(db):
    from kjd.match.runs import MatchOptions, select_demands

    db.execute("UPDATE demands SET field = '财务软件' WHERE id = 1")
    chosen = select_demands(db, MatchOptions(field="新材料"))
    assert 1 not in chosen
    assert select_demands(db, MatchOptions(field="财务")) == [1]


def test_empty_demand_text_gets_no_match(db):
    db["demands"].insert({"id": 6, "ref": "D6", "natural_key": "D6", "title": None})
    db["demands"].insert(
        {"id": 7, "ref": "D7", "natural_key": "D7", "title": "　", "description": ""}
    )
    result = run_matching(db, threshold=0)
    count = db.execute(
        "SELECT count(*) FROM matches WHERE demand_id IN (6, 7)"
    ).fetchone()[0]
    assert count == 0
    assert result.demands == 6


def test_threshold_just_above_best_score_keeps_nothing(db):
    run_matching(db, demand_refs=["D1"], threshold=0)
    best = db.execute("SELECT max(score) FROM matches WHERE demand_id = 1").fetchone()[
        0
    ]
    db.execute("DELETE FROM matches")
    run_matching(db, demand_refs=["D1"], threshold=best + 0.1)
    assert db.execute("SELECT count(*) FROM matches").fetchone()[0] == 0
    run_matching(db, demand_refs=["D1"], threshold=best)
    assert db.execute("SELECT count(*) FROM matches").fetchone()[0] >= 1


def test_expert_scores_same_with_or_without_projects(db):
    run_matching(db, threshold=0, targets=("project", "expert"))
    both = db.execute(
        "SELECT demand_id, target_id, score FROM matches WHERE target_type = 'expert' "
        "ORDER BY 1, 2"
    ).fetchall()
    db.execute("DELETE FROM matches")
    run_matching(db, threshold=0, targets=("expert",))
    alone = db.execute(
        "SELECT demand_id, target_id, score FROM matches WHERE target_type = 'expert' "
        "ORDER BY 1, 2"
    ).fetchall()
    assert both == alone


def test_run_matching_reports_progress_steps(db):
    calls = []
    run_matching(
        db, threshold=0, on_progress=lambda done, total: calls.append((done, total))
    )
    assert calls[-1] == (7, 7)
    assert [done for done, _ in calls] == list(range(1, 8))
