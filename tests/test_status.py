"""`collect_status`: unmatched demands, upcoming events and follow-ups."""

from datetime import date

from kjd import db as database
from kjd.status import collect_status


def seed(db):
    db["enterprises"].insert({"id": 1, "name": "长春甲公司", "natural_key": "e1"})
    for i, title in enumerate(["压铸件气孔", "人参深加工", "激光熔覆"], start=1):
        db["demands"].insert(
            {
                "id": i,
                "natural_key": f"d{i}",
                "ref": f"D00{i}",
                "title": title,
                "enterprise_id": 1,
                "enterprise_name": "长春甲公司",
            }
        )
    db["projects"].insert({"id": 1, "title": "铝合金压铸", "natural_key": "p1"})
    db["matches"].insert_all(
        [
            {
                "demand_id": 1,
                "target_type": "project",
                "target_id": 1,
                "score": 80,
                "status": "accepted",
            },
            {
                "demand_id": 2,
                "target_type": "project",
                "target_id": 1,
                "score": 30,
                "status": "rejected",
            },
        ]
    )
    db["decisions"].insert_all(
        [
            {
                "demand_id": 1,
                "target_type": "project",
                "target_id": 1,
                "decision": "accepted",
                "decided_at": "2026-09-01T10:00:00",
            },
        ]
    )
    db["events"].insert_all(
        [
            {"name": "汽车零部件专题对接会", "date": "2026-12-20"},
            {"name": "已结束的座谈会", "date": "2026-11-01"},
        ]
    )


def test_status_lists_unmatched_events_and_follow_ups(db_path):
    db = database.open_db(db_path)
    seed(db)
    status = collect_status(db, today=date(2026, 12, 4))
    assert status["counts"]["demands"] == 3
    assert status["unmatched_demand_count"] == 2
    assert [d["ref"] for d in status["unmatched_demands"]] == ["D002", "D003"]
    assert [e["name"] for e in status["upcoming_events"]] == ["汽车零部件专题对接会"]
    assert [f["demand_ref"] for f in status["follow_ups_due"]] == ["D001"]


def test_outcome_clears_follow_up(db_path):
    db = database.open_db(db_path)
    seed(db)
    db["outcomes"].insert(
        {"demand_id": 1, "target_type": "project", "target_id": 1, "stage": "intent"}
    )
    status = collect_status(db, today=date(2026, 12, 4))
    assert status["follow_ups_due"] == []
