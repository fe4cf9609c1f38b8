"""The kind of an institute record: from its name, or from a roster."""

import pytest

from kjd.db import open_db, transaction
from kjd.importers import import_paths
from kjd.match.entities import resolve_institutes
from kjd.match.orgkinds import (
    ACADEMIC_KINDS,
    INSTITUTE_KINDS,
    fill_missing_kinds,
    institute_kind,
    is_academic,
)


@pytest.fixture
def db():
    database = open_db(":memory:")
    yield database
    database.close()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("吉林大学", "高等院校"),
        ("黑龙江工业学院", "高等院校"),
        ("吉林大学（专家005教授）", "高等院校"),
        ("中国科学院大学", "高等院校"),
        ("清华大学深圳国际研究生院", "高等院校"),
        ("长春汽车工业高等专科学校", "高等院校"),
        ("中国科学院", "中科院院所"),
        ("中国科学院长春分院", "中科院院所"),
        ("中科院长春应化所", "中科院院所"),
        ("中國科學院長春光學精密機械與物理研究所", "中科院院所"),
        ("中国科学院国家天文台长春人造卫星观测站", "中科院院所"),
        ("吉林省农业科学院", "科研院所"),
        ("中国农业科学院特产研究所", "科研院所"),
        ("山东大学威海工业技术研究院", "科研院所"),
        ("哈尔滨工业大学城市水资源与水环境国家重点实验室", "科研院所"),
        ("中钢集团洛阳耐火材料研究院", "科研院所"),
        ("长春光华微电子设备工程中心有限公司", "科研院所"),
        ("军事科学院系统工程研究院军需工程技术研究所", "科研院所"),
        ("吉林化纤集团", "企业研发机构"),
        ("长春博超汽车零部件股份有限公司", "企业研发机构"),
        ("浙江华发生态科技有限公司", "企业研发机构"),
        ("吉林大学资产经营有限公司", "企业研发机构"),
        ("长春第一汽车制造厂", "企业研发机构"),
        ("泰山玻纖", "企业研发机构"),
        ("中材科技", "企业研发机构"),
        ("Jilin University", "高等院校"),
        ("Harbin Institute of Technology", "高等院校"),
        ("University of Chinese Academy of Sciences", "高等院校"),
        ("Changchun Institute of Applied Chemistry, CAS", "中科院院所"),
        ("Jilin Chemical Fiber Group Co., Ltd.", "企业研发机构"),
        (
            "Strategic Alliance between Industry-University-Research Institutions "
            "on Rare Earth Magnesium Alloys",
            "科研院所",
        ),
    ],
)
def test_institute_kind_from_name(name, expected):
    assert institute_kind(name) == expected


@pytest.mark.parametrize("name", [None, "", "  ", "\u3000"])
def test_institute_kind_empty_name_is_none(name):
    assert institute_kind(name) is None


def test_is_academic_excludes_companies_and_unknown():
    assert ACADEMIC_KINDS == ("高等院校", "中科院院所", "科研院所")
    assert [is_academic(kind) for kind in INSTITUTE_KINDS] == [True, True, True, False]
    assert is_academic(None) is False


def test_resolver_sets_kind_on_created_records(db):
    with transaction(db):
        resolve_institutes(
            db, "长春博超汽车零部件股份有限公司、天津工业大学、吉林化纤集团联合东华大学"
        )
    rows = db.execute(
        "SELECT name, kind FROM institutes WHERE name IN ('天津工业大学', "
        "'长春博超汽车零部件股份有限公司', '吉林化纤集团', '东华大学') ORDER BY id"
    ).fetchall()
    assert rows == [
        ("东华大学", "高等院校"),
        ("长春博超汽车零部件股份有限公司", "企业研发机构"),
        ("天津工业大学", "高等院校"),
        ("吉林化纤集团", "企业研发机构"),
    ]


def test_seeded_records_keep_the_listed_kind(db):
    with transaction(db):
        resolve_institutes(db, "吉大")
    missing = db.execute(
        "SELECT count(*) FROM institutes WHERE kind IS NULL"
    ).fetchone()
    assert missing == (0,)
    assert db.execute(
        "SELECT kind FROM institutes WHERE name = '吉林大学威海仿生研究院'"
    ).fetchone() == ("科研院所",)


def test_fill_missing_kinds_keeps_explicit_kinds(db):
    db.execute(
        "INSERT INTO institutes (name, natural_key, kind) VALUES "
        "('长春华光科技有限公司', 'a', '科研院所'), "
        "('淮化集团', 'b', NULL), ('南京大学', 'c', ''), ('某某研究所', 'd', NULL)"
    )
    assert fill_missing_kinds(db) == 3
    rows = db.execute("SELECT name, kind FROM institutes ORDER BY id").fetchall()
    assert rows == [
        ("长春华光科技有限公司", "科研院所"),
        ("淮化集团", "企业研发机构"),
        ("南京大学", "高等院校"),
        ("某某研究所", "科研院所"),
    ]
    assert fill_missing_kinds(db) == 0


def test_roster_kind_wins_over_the_inferred_one(tmp_path):
    """A company-named body the roster calls 科研院所 stays 科研院所."""
    db = open_db(tmp_path / "kjd.db")
    achievements = tmp_path / "成果.csv"
    achievements.write_text(
        "成果名称,完成单位\n复合材料,长春华光科技有限公司\n纤维,吉林化纤集团\n",
        encoding="utf-8",
    )
    roster = tmp_path / "院所.csv"
    roster.write_text(
        "单位名称,单位类型\n长春华光科技有限公司,科研院所\n长春新光研究院有限公司,企业研发机构\n",
        encoding="utf-8",
    )
    import_paths(db, [achievements])
    inferred = db.execute(
        "SELECT kind FROM institutes WHERE name = '长春华光科技有限公司'"
    ).fetchone()
    assert inferred == ("企业研发机构",)

    import_paths(db, [roster], kind="institutes")
    again = tmp_path / "成果2.csv"
    again.write_text(
        "成果名称,完成单位\n膜材料,长春新光研究院有限公司\n", encoding="utf-8"
    )
    import_paths(db, [again])
    rows = db.execute(
        "SELECT name, kind FROM institutes WHERE name IN "
        "('长春华光科技有限公司', '长春新光研究院有限公司', '吉林化纤集团') ORDER BY id"
    ).fetchall()
    assert rows == [
        ("长春华光科技有限公司", "科研院所"),
        ("吉林化纤集团", "企业研发机构"),
        ("长春新光研究院有限公司", "企业研发机构"),
    ]


def test_blank_kind_cell_reads_kind_from_name(db, tmp_path):
    path = tmp_path / "院所.csv"
    path.write_text(
        "单位名称,类型,所在城市\n"
        "吉林德茂大学,,长春\n"
        "长春恒昌光电研究所,,长春\n"
        "吉林瑞丰光学研究院,企业研发机构,吉林\n",
        encoding="utf-8",
    )
    import_paths(db, [path])
    found = db.execute(
        "SELECT name, kind FROM institutes WHERE name IN "
        "('吉林德茂大学', '长春恒昌光电研究所', '吉林瑞丰光学研究院') ORDER BY name"
    ).fetchall()
    assert found == [
        ("吉林德茂大学", "高等院校"),
        ("吉林瑞丰光学研究院", "企业研发机构"),
        ("长春恒昌光电研究所", "科研院所"),
    ]
