"""Resolving institute and enterprise names to one record each."""

import csv

import openpyxl
import pytest

from kjd.db import open_db, transaction
from kjd.match.aliases import add_alias, ensure_seeded, remove_alias
from kjd.match.entities import find_known, resolve_enterprise, resolve_institutes
from kjd.match.orgcompare import LINK_THRESHOLD, REVIEW_THRESHOLD, compare_names
from tests.conftest import CASES, REALDATA, needs_cases, needs_realdata


@pytest.fixture
def db():
    database = open_db(":memory:")
    yield database
    database.close()


def _names(links):
    return [link.name for link in links]


def _queue(db):
    return list(
        db.query(
            "SELECT kind, name, record_id, candidate_id, score, match_rule "
            "FROM resolution_queue ORDER BY id"
        )
    )


def test_resolve_institutes_seeds_canonical_records(db):
    links = resolve_institutes(db, "吉大")
    assert _names(links) == ["吉林大学"]
    assert links[0].match_rule == "alias"
    row = db.execute(
        "SELECT kind, city FROM institutes WHERE name = '中国科学院长春应用化学研究所'"
    ).fetchone()
    assert row == ("中科院院所", "长春")


@pytest.mark.parametrize(
    "cell",
    [
        "中国科学院长春应用化学研究所",
        "中科院长春应化所",
        "长春应化所",
        "应化所",
        "CIAC",
        "中科院長春應化所",
        "长春应化所（研究员专家001团队）",
        "中科院長春應化所（研究員专家001團隊）",
        "Changchun Institute of Applied Chemistry, Chinese Academy of Sciences",
        "长春应用化学研究所",
    ],
)
def test_resolve_institutes_spellings_of_ciac(db, cell):
    assert _names(resolve_institutes(db, cell)) == ["中国科学院长春应用化学研究所"]


def test_resolve_institutes_department_links_body(db):
    links = resolve_institutes(db, "吉林大学化学学院")
    assert _names(links) == ["吉林大学"]
    assert links[0].match_rule == "exact+department"


def test_resolve_institutes_multi_unit_cell(db):
    links = resolve_institutes(db, "郑州大学、河南工业大学")
    assert _names(links) == ["郑州大学", "河南工业大学"]


def test_resolve_institutes_group_alias(db):
    links = resolve_institutes(db, "一院三所")
    assert _names(links) == [
        "中国科学院长春分院",
        "中国科学院长春光学精密机械与物理研究所",
        "中国科学院长春应用化学研究所",
        "中国科学院东北地理与农业生态研究所",
    ]


def test_resolve_institutes_creates_unknown_once(db):
    first = resolve_institutes(db, "某某理工大学（专家099团队）")
    again = resolve_institutes(db, "某某理工大学")
    assert first[0].created is True
    assert first[0].name == "某某理工大学"
    assert again[0].entity_id == first[0].entity_id
    assert again[0].created is False


def test_resolve_institutes_create_false_leaves_unknown_out(db):
    links = resolve_institutes(db, "吉林大学、某某理工大学", create=False)
    assert _names(links) == ["吉林大学"]


def test_resolve_institutes_whole_name_keeps_department_form(db):
    links = resolve_institutes(db, "吉林大学白求恩医学部", whole_name=True)
    assert links[0].name == "吉林大学白求恩医学部"
    assert links[0].created is True


def test_resolve_institutes_region_insert_fuzzy_link(db):
    links = resolve_institutes(db, "中钢集团耐火材料研究院")
    assert _names(links) == ["中钢集团洛阳耐火材料研究院"]
    assert links[0].match_rule == "region_insert"


def test_resolve_institutes_other_region_is_not_linked(db):
    links = resolve_institutes(db, "中国科学院长春德茂研究所")
    other = resolve_institutes(db, "中国科学院长春恒昌研究所")
    assert other[0].created is True
    assert other[0].entity_id != links[0].entity_id


def test_resolve_institutes_short_names_column(db):
    entity_id = db.execute(
        "INSERT INTO institutes (name, natural_key, short_names) "
        "VALUES ('某省农业机械研究院', '某省农业机械研究院', '农机院；某省农机院')"
    ).lastrowid
    links = resolve_institutes(db, "某省农机院")
    assert links[0].entity_id == entity_id
    assert links[0].match_rule == "short_name"


def test_resolve_institutes_alias_added_and_removed(db):
    target = resolve_institutes(db, "长春某某研究院")[0]
    assert add_alias(db, "institute", "长研", target.entity_id) is True
    assert resolve_institutes(db, "长研")[0].entity_id == target.entity_id
    remove_alias(db, "institute", "长研")
    assert resolve_institutes(db, "长研", create=False) == []


def test_removed_seed_alias_stays_removed(db):
    resolve_institutes(db, "吉林大学")
    remove_alias(db, "institute", "吉大")
    assert find_known(db, "institute", "吉大") is None
    # Seeding again (a new run) keeps the removed alias out.
    db._kjd_aliases_seeded = False
    ensure_seeded(db)
    assert find_known(db, "institute", "吉大") is None


def test_short_query_never_partially_matches_enterprise_name(db):
    resolve_institutes(db, "吉大德茂科技有限公司")
    links = resolve_institutes(db, "吉大")
    assert _names(links) == ["吉林大学"]
    assert resolve_enterprise(db, "吉大德茂科技有限公司").created is True
    link = resolve_enterprise(db, "吉大")
    assert link.created is True
    assert link.name == "吉大"


def test_resolve_enterprise_credit_code_decides(db):
    first = resolve_enterprise(db, "长春德茂汽车零部件有限公司", "91220101MA0Y00002X")
    other_code = resolve_enterprise(
        db, "长春德茂汽车零部件有限公司", "91220101MA0Y000031"
    )
    by_code = resolve_enterprise(db, "德茂公司", "91220101ma0y00002x")
    assert other_code.created is True
    assert other_code.entity_id != first.entity_id
    assert by_code.entity_id == first.entity_id
    assert by_code.match_rule == "credit_code"


def test_resolve_enterprise_fills_missing_credit_code(db):
    first = resolve_enterprise(db, "吉林省瑞丰生物科技有限公司")
    again = resolve_enterprise(db, "吉林省瑞丰生物科技有限公司", "91220101MA0Y00002X")
    assert again.entity_id == first.entity_id
    code = db.execute(
        "SELECT credit_code FROM enterprises WHERE id = ?", [first.entity_id]
    ).fetchone()[0]
    assert code == "91220101MA0Y00002X"


def test_resolve_enterprise_legal_form_variant_links(db):
    first = resolve_enterprise(db, "吉林省德茂汽车零部件有限公司")
    second = resolve_enterprise(db, "德茂汽车零部件（长春）有限公司")
    assert second.entity_id == first.entity_id
    assert second.match_rule == "same_brand"


def test_resolve_enterprise_stock_words_do_not_link(db):
    first = resolve_enterprise(db, "长春德茂汽车零部件有限公司")
    second = resolve_enterprise(db, "长春恒昌汽车零部件有限公司")
    assert second.created is True
    assert second.entity_id != first.entity_id
    assert _queue(db) == []


def test_resolve_enterprise_same_brand_other_industry_is_queued(db):
    first = resolve_enterprise(db, "吉林省恒昌新能源科技有限公司")
    second = resolve_enterprise(db, "吉林省恒昌新材料科技有限公司")
    assert second.created is True
    assert _queue(db) == [
        {
            "kind": "enterprise",
            "name": "吉林省恒昌新材料科技有限公司",
            "record_id": second.entity_id,
            "candidate_id": first.entity_id,
            "score": 75.0,
            "match_rule": "same_brand_other_industry",
        }
    ]


def test_resolve_enterprise_empty_name(db):
    assert resolve_enterprise(db, "") is None
    assert resolve_enterprise(db, None, "91220101MA0Y00002X") is None


@needs_cases
def test_b14_pairs_resolve_as_expected(db):
    """Names sharing only stock words stay apart; legal-form variants link."""
    path = CASES / "B14_company_suffix_pairs.csv"
    with open(path, encoding="utf-8-sig", newline="") as f:
        pairs = list(csv.DictReader(f))
    assert len(pairs) == 7
    for pair in pairs:
        with transaction(db):
            resolver = resolve_institutes if "研究所" in pair["name_a"] else None
            if resolver:
                first = resolver(db, pair["name_a"])[0].entity_id
                second = resolver(db, pair["name_b"])[0].entity_id
            else:
                first = resolve_enterprise(db, pair["name_a"]).entity_id
                second = resolve_enterprise(db, pair["name_b"]).entity_id
        assert (first == second) is (pair["same_entity"] == "1"), pair


@needs_cases
def test_b14_scores_against_link_threshold():
    """Stock words give no score; a same-brand pair in another industry is reviewed."""
    path = CASES / "B14_company_suffix_pairs.csv"
    with open(path, encoding="utf-8-sig", newline="") as f:
        pairs = list(csv.DictReader(f))
    found = []
    for pair in pairs:
        kind = "institute" if "研究所" in pair["name_a"] else "enterprise"
        comparison = compare_names(kind, pair["name_a"], pair["name_b"])
        found.append((pair["same_entity"], comparison.score, comparison.rule))
    assert found == [
        ("0", 0.0, "other_brand"),
        ("1", 100.0, "same_brand"),
        ("1", 100.0, "same_brand"),
        ("0", 50.0, "other_brand"),
        ("1", 100.0, "same_brand"),
        ("0", 0.0, "fuzzy_name"),
        ("0", 75.0, "same_brand_other_industry"),
    ]
    for same, score, _ in found:
        assert (score >= LINK_THRESHOLD) is (same == "1")
    assert REVIEW_THRESHOLD <= found[-1][1] < LINK_THRESHOLD


@needs_cases
def test_b08_eight_spellings_make_two_enterprises(db):
    workbook = openpyxl.load_workbook(CASES / "B08_fullwidth_invisible_spaces.xlsx")
    rows = list(workbook.active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 8
    ids = []
    with transaction(db):
        for row in rows:
            ids.append(resolve_enterprise(db, row[1], row[2]).entity_id)
    assert len(set(ids[:6])) == 1
    assert len(set(ids[6:])) == 1
    assert ids[0] != ids[6]
    assert db.execute("SELECT count(*) FROM enterprises").fetchone()[0] == 2
    flagged = db.execute(
        "SELECT name, record_id FROM resolution_queue WHERE match_rule = 'bracket_fold'"
    ).fetchall()
    assert flagged == [
        ("长春德茂(汽车)零部件有限公司", ids[0]),
        ("长春德茂（汽车）零部件有限公司", ids[0]),
    ]


def _roster_rows(path, header):
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if header in row)
    names = rows[start]
    return [dict(zip(names, row, strict=False)) for row in rows[start + 1 :]]


@needs_realdata
def test_realdata_every_listed_institute_links():
    """Every 完成单位 that names an institute of the roster links to it."""
    db = open_db(":memory:")
    listed = _roster_rows(REALDATA / "高校院所名录.xlsx", "单位名称")
    with transaction(db):
        for row in listed:
            resolve_institutes(db, row["单位名称"], whole_name=True)
    achievements = _roster_rows(REALDATA / "科技成果汇总表.xlsx", "完成单位")
    linked = {}
    with transaction(db):
        for row in achievements:
            if row["完成单位"]:
                linked[row["成果编号"]] = _names(
                    resolve_institutes(db, row["完成单位"])
                )
    expected = {
        "A001": ["中国科学院长春应用化学研究所"],
        "A002": ["中国科学院长春应用化学研究所"],
        "A023": ["中国科学院长春光学精密机械与物理研究所"],
        "A034": ["中国科学院长春光学精密机械与物理研究所"],
        "A046": ["同济大学"],
        "A048": ["中钢集团洛阳耐火材料研究院"],
        "A051": ["中钢集团洛阳耐火材料研究院"],
        "A055": ["郑州大学", "河南工业大学"],
        "A060": ["中国科学院宁波材料技术与工程研究所"],
        "A061": ["北京科技大学"],
        "A066": ["中国科学院上海高等研究院"],
        "A070": ["中国科学院理化技术研究所"],
        "A071": ["中国科学院天津工业生物技术研究所"],
        "A074": ["武汉科技大学"],
        "A085": ["中南大学", "中国科学院长春应用化学研究所"],
        "A087": ["黑龙江工业学院"],
        "A088": ["河海大学"],
    }
    for ref, names in expected.items():
        assert linked[ref][: len(names)] == names, ref
    assert linked["A002"][1].startswith("Strategic Alliance")
    assert linked["A016"] == []
    institute_count = db.execute("SELECT count(*) FROM institutes").fetchone()[0]
    assert institute_count == 79
