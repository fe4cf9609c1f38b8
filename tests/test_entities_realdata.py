"""Entity links after importing the real rosters folder, as `kjd import` does."""

import pytest

from kjd.db import open_db
from kjd.importers import import_paths
from kjd.match.aliases import seed_entries
from tests.conftest import REALDATA, needs_realdata

pytestmark = needs_realdata

CIAC = "中国科学院长春应用化学研究所"
CIOMP = "中国科学院长春光学精密机械与物理研究所"
DICP = "中国科学院大连化学物理研究所"
SARI = "中国科学院上海高等研究院"
NIMTE = "中国科学院宁波材料技术与工程研究所"
SINOSTEEL = "中钢集团洛阳耐火材料研究院"

# Achievement refs → the institutes of 高校院所名录.xlsx their 完成单位 names,
# in the order of the cell.
LISTED_LINKS = {
    **dict.fromkeys(["A001", "A002", "A004", "A005", "A006", "A007"], [CIAC]),
    **dict.fromkeys(["A008", "A009", "A010", "A011", "A012", "A013"], [CIAC]),
    **dict.fromkeys(["A014", "A015"], [CIAC]),
    "A003": ["中国科学院植物研究所"],
    **{f"A0{number}": [CIOMP] for number in range(23, 39)},
    **dict.fromkeys(["A039", "A040", "A041", "A043"], ["吉林大学"]),
    "A042": ["吉林农业大学"],
    "A044": [CIOMP],
    "A045": ["东华大学"],
    **dict.fromkeys(["A046", "A047"], ["同济大学"]),
    **dict.fromkeys(["A048", "A051"], [SINOSTEEL]),
    **dict.fromkeys(["A052", "A054"], ["郑州大学"]),
    "A053": ["河南工业大学"],
    **dict.fromkeys(["A055", "A056"], ["郑州大学", "河南工业大学"]),
    **dict.fromkeys(["A060", "A072"], [NIMTE]),
    "A061": ["北京科技大学"],
    **dict.fromkeys(["A062", "A063", "A064", "A065"], [DICP]),
    **dict.fromkeys(["A066", "A067", "A068", "A069"], [SARI]),
    "A070": ["中国科学院理化技术研究所"],
    "A071": ["中国科学院天津工业生物技术研究所"],
    "A073": ["中国科学院西安光学精密机械研究所"],
    "A074": ["武汉科技大学"],
    "A075": ["哈尔滨工业大学"],
    "A076": ["华东理工大学"],
    **dict.fromkeys(["A081", "A082"], ["东北大学"]),
    "A083": ["上海交通大学"],
    "A084": ["重庆大学"],
    "A085": ["中南大学", CIAC],
    "A087": ["黑龙江工业学院"],
    "A088": ["河海大学"],
}

# Bodies no roster lists, created while importing, with the kind read from
# their names: companies are 企业研发机构, not 高校院所.
CREATED = {
    "Strategic Alliance between Industry-University-Research Institutions "
    "on Rare Earth Magnesium Alloys": "科研院所",
    "军事科学院系统工程研究院军需工程技术研究所": "科研院所",
    "南京大学": "高等院校",
    "浙江大学": "高等院校",
    "天津工业大学": "高等院校",
    "长春博超汽车零部件股份有限公司": "企业研发机构",
    "吉林化纤集团": "企业研发机构",
    "中材科技": "企业研发机构",
    "中钢新型": "企业研发机构",
    "泰山玻纖": "企业研发机构",
    "天津金发新材料有限公司": "企业研发机构",
    "浙江华发生态科技有限公司": "企业研发机构",
    "淮化集团": "企业研发机构",
    "北京玄泽新材料科技有限公司": "企业研发机构",
    "长春长光宇航复合材料有限公司": "企业研发机构",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    database = open_db(tmp_path_factory.mktemp("realdata") / "kjd.db")
    import_paths(database, [REALDATA])
    yield database
    database.close()


def _linked(db) -> dict[str, list[tuple[str, str | None]]]:
    rows = db.execute(
        "SELECT p.ref, i.name, i.source_file FROM projects p "
        "JOIN project_institutes pi ON pi.project_id = p.id "
        "JOIN institutes i ON i.id = pi.institute_id ORDER BY p.ref, pi.position"
    ).fetchall()
    linked: dict[str, list[tuple[str, str | None]]] = {}
    for ref, name, source_file in rows:
        linked.setdefault(ref, []).append((name, source_file))
    return linked


def test_realdata_import_links_listed_institutes(db):
    listed = {
        ref: [name for name, source in links if source == "高校院所名录.xlsx"]
        for ref, links in _linked(db).items()
    }
    listed = {ref: names for ref, names in listed.items() if names}
    assert listed == LISTED_LINKS


def test_realdata_vague_and_empty_units_link_nothing(db):
    unlinked = db.execute(
        "SELECT ref, coalesce(institute_names, '') FROM projects "
        "WHERE id NOT IN (SELECT project_id FROM project_institutes) ORDER BY ref"
    ).fetchall()
    vague = [ref for ref, names in unlinked if names == "中國科學院相關研究所"]
    empty = [ref for ref, names in unlinked if names == ""]
    assert vague == [f"A0{number}" for number in range(16, 23)]
    assert empty == ["A057", "A058", "A059", "A086", "A089"]
    assert len(unlinked) == 12


def test_realdata_created_records_get_kinds(db):
    seeded = {entry.name for entry in seed_entries()}
    rows = db.execute(
        "SELECT name, kind FROM institutes WHERE source_file IS NULL ORDER BY id"
    ).fetchall()
    created = {name: kind for name, kind in rows if name not in seeded}
    assert created == CREATED


def test_realdata_every_institute_has_a_kind(db):
    counts = dict(
        db.execute("SELECT kind, count(*) FROM institutes GROUP BY kind").fetchall()
    )
    assert counts == {
        "高等院校": 44,
        "中科院院所": 16,
        "科研院所": 11,
        "企业研发机构": 10,
    }


def test_realdata_expert_station_links_its_institute(db):
    """A field station after a space (… 海伦农业生态实验站) links the institute."""
    row = db.execute(
        "SELECT i.name FROM experts e JOIN institutes i ON i.id = e.institute_id "
        "WHERE e.ref = 'E023'"
    ).fetchone()
    assert row == ("中国科学院东北地理与农业生态研究所",)
