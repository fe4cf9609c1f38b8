"""A small database for report tests, built by inserting rows directly.

Names, phones and e-mail addresses are made up. The rows cover: accepted,
proposed, rejected and stale matches; targets of all three kinds; a demand
without a match; an event with meetings; outcomes at every stage; a demand
name that a spreadsheet would run as a formula.
"""

import json
from pathlib import Path

import sqlite_utils

from kjd.db import open_db

INSTITUTES = [
    {
        "id": 1,
        "name": "吉林大学",
        "city": "长春市",
        "kind": "高校",
        "short_names": "吉大",
    },
    {"id": 2, "name": "中国科学院长春应用化学研究所", "city": "长春市", "kind": "院所"},
    {"id": 3, "name": "延边大学", "city": "延边朝鲜族自治州", "kind": "高校"},
]
EXPERTS = [
    {
        "id": 1,
        "name": "专家001",
        "title": "教授",
        "institute_id": 1,
        "research_fields": "先进制造；轻量化",
    },
    {
        "id": 2,
        "name": "专家002",
        "title": "研究员",
        "institute_id": 2,
        "research_fields": "新材料",
    },
    {
        "id": 3,
        "name": "专家003",
        "title": "教授",
        "institute_id": None,
        "institute_name": "某团队",
        "research_fields": "生物医药",
    },
]
PROJECTS = [
    {
        "id": 1,
        "title": "铝合金压铸件气孔控制技术",
        "field": "先进制造",
        "institute_id": 1,
    },
    {"id": 2, "title": "高性能聚乳酸材料", "field": "新材料", "institute_id": 2},
    {"id": 3, "title": "人参皂苷提取工艺", "field": "生物医药", "institute_id": 3},
    {
        "id": 4,
        "title": "未关联单位的成果",
        "field": None,
        "institute_id": None,
        "institute_names": "某课题组",
    },
]
ENTERPRISES = [
    {
        "id": 1,
        "name": "长春德茂汽车零部件有限公司",
        "city": "长春市",
        "county": "朝阳区",
        "industry": "汽车",
        "contact": "张三",
        "phone": "13800000001",
    },
    {
        "id": 2,
        "name": "吉林恒昌光电科技有限公司",
        "city": "吉林市",
        "county": None,
        "industry": "光电子",
        "contact": "李四",
        "phone": "0431-85000000",
    },
    {
        "id": 3,
        "name": "延边德信农业科技有限公司",
        "city": "延边朝鲜族自治州",
        "county": "延吉市",
        "industry": "农产品加工",
        "contact": "王五",
        "phone": "13900000003",
    },
]
DEMANDS = [
    {
        "id": 1,
        "enterprise_id": 1,
        "title": "-40℃低温冷启动技术",
        "description": "　　低温环境下发动机快速冷启动，\n需要解决压铸件气孔问题。",
        "field": "先进制造",
        "city": "长春市",
        "county": "朝阳区",
        "email": "zhangsan@example.com",
        "created_at": "2024-03-01T09:00:00",
    },
    {
        "id": 2,
        "enterprise_id": 2,
        "title": '=HYPERLINK("http://example.invalid/x","点击查看详情")',
        "description": "来自网上填报系统的原样文本",
        "field": "新材料",
        "created_at": "2024-05-10T09:00:00",
    },
    {
        "id": 3,
        "enterprise_id": 3,
        "title": "人参深加工",
        "description": "提取工艺",
        "field": "生物医药",
        "created_at": "2025-01-15T09:00:00",
    },
    {
        "id": 4,
        "enterprise_id": 3,
        "title": "冷链物流保鲜",
        "description": "保鲜",
        "field": None,
        "created_at": "2025-02-01T09:00:00",
    },
    {
        "id": 5,
        "enterprise_id": 1,
        "title": "被否决的需求",
        "description": "x",
        "field": "先进制造",
        "created_at": "2025-02-02T09:00:00",
    },
]
# (id, demand, target type, target, score, status, shared terms)
MATCHES = [
    (1, 1, "project", 1, 86.4, "accepted", ["压铸件", "气孔"]),
    (2, 1, "expert", 1, 71.0, "proposed", ["轻量化"]),
    (3, 2, "project", 2, 64.2, "proposed", ["材料"]),
    (4, 2, "institute", 2, 55.0, "accepted", []),
    (5, 3, "project", 3, 90.0, "accepted", ["人参", "提取"]),
    (6, 3, "expert", 3, 40.0, "proposed", []),
    (7, 5, "project", 1, 50.0, "rejected", ["压铸"]),
    (8, 1, "project", 4, 45.0, "stale", []),
]
EVENTS = [
    {
        "id": 1,
        "name": "2025 吉林省科技成果对接会",
        "kind": "对接会",
        "date": "2025-03-18",
        "venue": "长春国际会展中心",
        "organizers": "吉林省科学技术厅、吉林省工业和信息化厅",
    },
]
MEETINGS = [
    {
        "event_id": 1,
        "demand_id": 1,
        "target_type": "project",
        "target_id": 1,
        "slot": "09:30",
        "table_number": "3",
    },
    {
        "event_id": 1,
        "demand_id": 3,
        "target_type": "project",
        "target_id": 3,
        "slot": "10:00",
        "table_number": "5",
    },
]
OUTCOMES = [
    {
        "demand_id": 1,
        "target_type": "project",
        "target_id": 1,
        "event_id": 1,
        "stage": "intent",
        "amount": 100.0,
        "date": "2025-03-18",
    },
    {
        "demand_id": 1,
        "target_type": "project",
        "target_id": 1,
        "event_id": 1,
        "stage": "signed",
        "amount": 250.5,
        "date": "2025-04-20",
    },
    {
        "demand_id": 3,
        "target_type": "project",
        "target_id": 3,
        "event_id": 1,
        "stage": "landed",
        "amount": 80.0,
        "date": "2025-06-01",
    },
]


def build_database(path: Path) -> sqlite_utils.Database:
    """Create a kjd database at `path` holding the rows above."""
    db = open_db(path)
    _insert(db, "institutes", INSTITUTES, lambda row: row["name"])
    _insert(db, "experts", EXPERTS, lambda row: f"{row['name']}|{row['institute_id']}")
    _insert(db, "projects", PROJECTS, lambda row: row["title"])
    _insert(db, "enterprises", ENTERPRISES, lambda row: row["name"])
    _insert(
        db, "demands", DEMANDS, lambda row: f"{row['enterprise_id']}|{row['title']}"
    )
    db["aliases"].insert(
        {"kind": "institute", "alias": "吉大", "alias_key": "吉大", "entity_id": 1}
    )
    db["matches"].insert_all(
        {
            "id": match_id,
            "demand_id": demand_id,
            "target_type": target_type,
            "target_id": target_id,
            "score": score,
            "rank": 1,
            "parts": json.dumps({"text": score * 0.6, "field": score * 0.4}),
            "shared_terms": json.dumps(terms, ensure_ascii=False),
            "match_rule": "keywords",
            "status": status,
        }
        for match_id, demand_id, target_type, target_id, score, status, terms in MATCHES
    )
    db["events"].insert_all(EVENTS)
    db["meetings"].insert_all(MEETINGS)
    db["outcomes"].insert_all(OUTCOMES)
    return db


def _insert(db, table: str, rows: list[dict], natural_key) -> None:
    db[table].insert_all({**row, "natural_key": natural_key(row)} for row in rows)
