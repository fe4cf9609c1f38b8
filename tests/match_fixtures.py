"""A small matching database built in code: demands and the targets they match."""

from kjd.db import open_db, transaction

INSTITUTES = [
    {"id": 1, "name": "吉林大学", "natural_key": "吉林大学", "city": "长春"},
    {
        "id": 2,
        "name": "某省材料研究所",
        "natural_key": "某省材料研究所",
        "city": "郑州",
    },
]
PROJECTS = [
    (
        "A1",
        "镁合金熔铸与轧制成套技术",
        "新材料/镁合金",
        "大规格镁合金扁锭熔铸、宽幅板带轧制技术，已产业化。",
        "产业化",
        1,
    ),
    (
        "A2",
        "聚乳酸生物降解薄膜",
        "新材料/生物降解塑料",
        "完全生物降解聚乳酸流延薄膜及包装材料。",
        "中试",
        2,
    ),
    (
        "A3",
        "氢燃料电池金属双极板",
        "新能源/燃料电池",
        "燃料电池电堆用金属双极板冲压成形与涂层。",
        "小试",
        1,
    ),
    (
        "A4",
        "玉米秸秆还田机械",
        "农业/农机",
        "秸秆粉碎还田与保护性耕作机具。",
        "产业化",
        1,
    ),
    (
        "A5",
        "镁合金牺牲阳极防腐",
        "新材料/镁合金",
        "镁合金阳极用于埋地管道防腐。",
        "产业化",
        2,
    ),
]
EXPERTS = [
    ("E1", "专家甲", "教授", "镁合金熔炼与铸造；轻合金加工", 1),
    ("E2", "专家乙", "研究员", "生物降解塑料；聚乳酸改性", 2),
    ("E3", "专家丙", "教授", "燃料电池；制氢", 1),
]
DEMANDS = [
    (
        "D1",
        "镁合金熔铸技术指导",
        "公司生产镁合金，熔炼过程中溶剂残留影响熔铸质量，需要专家指导。",
        "长春市",
    ),
    ("D2", "可降解塑料包装", "开发聚乳酸等生物降解塑料包装薄膜。", "长春市"),
    ("D3", "燃料电池双极板", "氢燃料电池金属双极板冲压与防腐涂层。", "吉林市"),
    ("D4", "财务软件升级", "升级用友报表。", "长春市"),
]


def build_matching_db(path):
    """Create a database at `path` with the rows above and return it."""
    db = open_db(path)
    with transaction(db):
        db["institutes"].insert_all(INSTITUTES)
        for number, (ref, title, field, summary, maturity, inst) in enumerate(
            PROJECTS, 1
        ):
            db["projects"].insert(
                {
                    "id": number,
                    "ref": ref,
                    "natural_key": ref,
                    "title": title,
                    "field": field,
                    "summary": summary,
                    "maturity_raw": maturity,
                    "institute_id": inst,
                    "leader": "专家丙" if ref == "A3" else None,
                }
            )
        for number, (ref, name, title, fields, inst) in enumerate(EXPERTS, 1):
            db["experts"].insert(
                {
                    "id": number,
                    "ref": ref,
                    "natural_key": ref,
                    "name": name,
                    "title": title,
                    "research_fields": fields,
                    "institute_id": inst,
                }
            )
        for number, (ref, title, description, city) in enumerate(DEMANDS, 1):
            db["demands"].insert(
                {
                    "id": number,
                    "ref": ref,
                    "natural_key": ref,
                    "title": title,
                    "description": description,
                    "city": city,
                    "kind": "tech",
                    "enterprise_name": f"测试企业{number}",
                }
            )
    return db
