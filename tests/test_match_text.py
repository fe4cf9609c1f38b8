"""Text analysis: folding, user dictionaries (B16), scorer processor (B13)."""

import csv

import pytest
from openpyxl import load_workbook
from rapidfuzz import fuzz, process

from kjd.match.text import (
    DictionaryUnreadable,
    TextAnalyzer,
    char_ngrams,
    default_analyzer,
    fold,
    load_dictionary,
    load_synonyms,
)
from kjd.paths import data_file

from .conftest import CASES, needs_cases


@pytest.mark.parametrize(
    "raw,folded",
    [
        ("ＡＢＳ防抱死", "abs防抱死"),
        ("５Ｇ基站天线", "5g基站天线"),
        ("中科院長春應化所", "中科院长春应化所"),
        ("铝合金压铸件\n气孔", "铝合金压铸件气孔"),
        ("铝合金压铸件_x000D_", "铝合金压铸件_x000d_"),
        ("High  Performance\u3000合金", "high performance合金"),
        ("\u200b氢能\ufeff", "氢能"),
        (None, ""),
        ("", ""),
    ],
)
def test_fold_cases(raw, folded):
    assert fold(raw) == folded


def test_terms_drop_stopwords_and_single_characters():
    analyzer = default_analyzer()
    terms = analyzer.terms("本公司需要开发镁合金熔炼技术的研究")
    assert "镁合金" in terms
    assert "技术" not in terms
    assert "研究" not in terms
    assert "公司" not in terms
    assert all(len(t) >= 2 for t in terms)


def test_terms_map_synonyms_to_canonical():
    analyzer = default_analyzer()
    assert "轻量化" in analyzer.terms("车身减重设计")
    assert "锂离子电池" in analyzer.terms("锂电正极材料")
    assert "增材制造" in analyzer.terms("金属3D打印")
    assert "碳纤维" in analyzer.terms("Carbon Fiber 预浸料")


def test_terms_keep_latin_words_whole():
    terms = default_analyzer().terms("High-performance PE管材")
    assert "performance" in terms
    assert "聚乙烯" in terms


def test_char_ngrams_cover_chinese_runs_only():
    assert char_ngrams("氢能ab储运", sizes=(2,)) == ["氢能", "储运"]
    assert char_ngrams("双极板", sizes=(2, 3)) == ["双极", "极板", "双极板"]


def test_synonym_table_has_no_variant_twice():
    lines = data_file("synonyms.csv").read_text(encoding="utf-8").splitlines()[1:]
    variants = [v for line in lines for v in line.split(",", 1)[1].split(";")]
    assert len(variants) == len(set(variants))
    assert load_synonyms(data_file("synonyms.csv"))["减重"] == "轻量化"


B16_DICTIONARIES = ["B16_userdict_bom_crlf.txt", "B16_userdict_ansi_gbk.txt"]


@needs_cases
@pytest.mark.parametrize("name", B16_DICTIONARIES)
def test_user_dictionary_loads_in_either_encoding(name):
    entries = load_dictionary(CASES / name)
    words = [e.word for e in entries]
    assert "激光熔覆" in words
    assert "ti-6al-4v" in words
    assert "cae仿真" in words
    assert "氢燃料电池" in words
    assert all("\r" not in w and "\ufeff" not in w for w in words)


def test_user_dictionary_gb18030_and_missing_frequency(tmp_path):
    path = tmp_path / "词典.txt"
    path.write_bytes("冷喷涂增材 30 n\n超音速火焰\n".encode("gb18030"))
    entries = load_dictionary(path)
    assert [(e.word, e.frequency, e.tag) for e in entries] == [
        ("冷喷涂增材", 30, "n"),
        ("超音速火焰", None, None),
    ]


def test_user_dictionary_undecodable_raises(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\xff\xfe\x00\xd8\x00\xdc\xff")
    with pytest.raises(DictionaryUnreadable):
        load_dictionary(path)


@needs_cases
@pytest.mark.parametrize("name", B16_DICTIONARIES)
def test_b16_demand_keywords_are_hit(name):
    analyzer = default_analyzer(CASES / name)
    sheet = load_workbook(CASES / "B16_demands_terms.xlsx").active
    for title, description, expected in list(sheet.iter_rows(values_only=True))[1:]:
        text = f"{title} {description}"
        terms = set(analyzer.terms(text)) | set(analyzer.domain_hits(text))
        for keyword in expected.split("|"):
            assert fold(keyword) in terms, (title, keyword)


@needs_cases
def test_b16_dictionary_term_still_found_by_substring_search(tmp_path):
    from kjd.db import open_db
    from kjd.match.search import search

    db = open_db(tmp_path / "kjd.db")
    sheet = load_workbook(CASES / "B16_demands_terms.xlsx").active
    for number, (title, description, _) in enumerate(
        list(sheet.iter_rows(values_only=True))[1:], 1
    ):
        db["demands"].insert(
            {
                "id": number,
                "natural_key": str(number),
                "title": title,
                "description": description,
                "ref": f"R{number}",
            }
        )
    result = search(db, ["压铸件"], within="demands")
    assert [hit.ref for hit in result.hits] == ["R2"]


def nfkc_casefold(text, **_):
    return fold(text)


@needs_cases
def test_b13_fold_processor_picks_expected_best():
    with (CASES / "B13_cjk_scorer_cases.csv").open(encoding="utf-8-sig") as handle:
        cases = list(csv.DictReader(handle))
    analyzer = default_analyzer()
    for case in cases:
        choices = case["candidates"].split("|")
        segmented = [" ".join(analyzer.words(fold(c))) for c in choices]
        query = " ".join(analyzer.words(fold(case["query"])))
        best = process.extractOne(query, segmented, scorer=fuzz.token_sort_ratio)
        assert choices[best[2]] == case["expected_best"], case["query"]


@pytest.mark.parametrize(
    "query,choice",
    [
        ("abs防抱死", "ABS防抱死"),
        ("ＡＢＳ防抱死制动系统", "ABS防抱死制动系统"),
        ("５Ｇ基站天线", "5G基站天线"),
    ],
)
def test_b13_folded_ratio_is_100(query, choice):
    assert fuzz.ratio(query, choice, processor=nfkc_casefold) == 100


def test_b13_reordered_terms_score_at_least_80():
    analyzer = TextAnalyzer()
    left = " ".join(analyzer.words(fold("汽车零部件 长春德茂")))
    right = " ".join(analyzer.words(fold("长春德茂汽车零部件")))
    assert fuzz.token_sort_ratio(left, right) >= 80


def test_terms_add_broader_class_once():
    analyzer = default_analyzer()
    terms = analyzer.terms("耐辐照聚丙烯与聚乙烯共混")
    assert "聚丙烯" in terms
    assert terms.count("聚烯烃") == 1


def test_broader_table_classes_are_terms():
    analyzer = default_analyzer()
    assert "超硬材料" in analyzer.terms("超硬材料陶瓷磨具")
