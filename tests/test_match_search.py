"""Keyword search: short Chinese terms are found, terms are ANDed (B17)."""

import pytest
from openpyxl import load_workbook

from kjd.db import open_db
from kjd.errors import UsageError
from kjd.match.search import SEARCHED_COLUMNS, column_labels, search, split_terms

from .conftest import CASES, needs_cases


@pytest.fixture
def b17_db(tmp_path):
    db = open_db(tmp_path / "kjd.db")
    sheet = load_workbook(CASES / "B17_fts_short_queries.xlsx")["成果"]
    for number, (ref, title, summary) in enumerate(
        list(sheet.iter_rows(values_only=True))[1:], 1
    ):
        db["projects"].insert(
            {
                "id": number,
                "ref": ref,
                "natural_key": ref,
                "title": title,
                "summary": summary,
            }
        )
    return db


def b17_queries():
    sheet = load_workbook(CASES / "B17_fts_short_queries.xlsx")["查询"]
    return [
        (q, set(e.split("|"))) for q, e in list(sheet.iter_rows(values_only=True))[1:]
    ]


@needs_cases
def test_b17_every_query_returns_its_ground_truth(b17_db):
    queries = b17_queries()
    assert len(queries) == 7
    for query, expected in queries:
        result = search(b17_db, [query], within="projects")
        assert {hit.ref for hit in result.hits} == expected, query


@needs_cases
def test_b17_terms_as_separate_arguments_are_anded(b17_db):
    result = search(b17_db, ["电池", "隔膜"], within="projects")
    assert [hit.ref for hit in result.hits] == ["CG05"]


def test_search_folds_query_and_text(tmp_path):
    db = open_db(tmp_path / "kjd.db")
    db["projects"].insert(
        {
            "id": 1,
            "ref": "P1",
            "natural_key": "P1",
            "title": "ＡＢＳ防抱死",
            "summary": "長春應化所 压铸件\n气孔",
        }
    )
    assert [h.ref for h in search(db, ["abs"]).hits] == ["P1"]
    assert [h.ref for h in search(db, ["长春应化所"]).hits] == ["P1"]
    assert [h.ref for h in search(db, ["压铸件气孔"]).hits] == ["P1"]


def test_split_terms_drops_repeats_and_blanks():
    assert split_terms(["氢能  储运", "氢能"]) == ["氢能", "储运"]


def test_search_without_terms_raises(tmp_path):
    with pytest.raises(UsageError):
        search(open_db(tmp_path / "kjd.db"), ["  "])


def test_every_searched_column_has_chinese_label():
    for kind, (_, _, columns) in SEARCHED_COLUMNS.items():
        labels = column_labels(kind, columns)
        assert all(label not in columns for label in labels), kind


@pytest.mark.parametrize(
    "kind,columns,labels",
    [
        ("demand", ["title", "description"], ["需求名称", "需求描述"]),
        ("project", ["summary"], ["简介"]),
        ("institute", ["name", "short_names"], ["名称", "简称"]),
        ("expert", ["name", "research_fields"], ["姓名", "研究方向"]),
    ],
)
def test_column_labels_of_each_kind(kind, columns, labels):
    assert column_labels(kind, columns) == labels
