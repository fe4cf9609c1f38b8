"""`kjd alias add|list|remove`."""

import json

from kjd.db import open_db
from kjd.match.entities import resolve_institutes


def test_alias_list_shows_seeded_short_names(invoke):
    result = invoke("alias", "list", "institute", "--search", "长春应用化学", "--json")
    assert result.exit_code == 0, result.output
    aliases = {
        row["alias"]: row["entity_name"] for row in json.loads(result.stdout)["aliases"]
    }
    assert aliases["应化所"] == "中国科学院长春应用化学研究所"
    assert aliases["CIAC"] == "中国科学院长春应用化学研究所"


def test_alias_add_then_resolve(invoke, db_path):
    result = invoke("alias", "add", "institute", "吉农", "吉林农业大学")
    assert result.exit_code == 0, result.output
    assert "吉林农业大学" in result.stdout
    db = open_db(db_path)
    assert [link.name for link in resolve_institutes(db, "吉农")] == ["吉林农业大学"]


def test_alias_add_taken_alias_needs_replace(invoke):
    result = invoke("alias", "add", "institute", "吉大", "吉林农业大学")
    assert result.exit_code == 2
    assert "--replace" in result.stderr
    replaced = invoke("alias", "add", "institute", "吉大", "吉林农业大学", "--replace")
    assert replaced.exit_code == 0


def test_alias_add_unknown_target(invoke):
    result = invoke("alias", "add", "institute", "某大", "不存在的大学")
    assert result.exit_code == 1
    assert "没有找到单位" in result.stderr


def test_alias_remove_and_bad_kind(invoke, db_path):
    removed = invoke("alias", "remove", "institute", "吉大")
    assert removed.exit_code == 0, removed.output
    db = open_db(db_path)
    assert resolve_institutes(db, "吉大", create=False) == []
    missing = invoke("alias", "remove", "institute", "吉大")
    assert missing.exit_code == 1
    bad = invoke("alias", "list", "company")
    assert bad.exit_code == 2
