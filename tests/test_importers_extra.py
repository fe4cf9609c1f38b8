"""Columns kjd does not know (`extra`) merge like the mapped columns."""

import json

from kjd.db import open_db
from kjd.importers import import_paths


def test_blank_extra_cells_keep_known_values(db_path, tmp_path):
    db = open_db(db_path)
    path = tmp_path / "企业.csv"
    path.write_text(
        "企业名称,联系电话,主营产品,注册资本（万元）,备用字段\n"
        "长春德茂精密机械有限公司,13800000001,齿轮,500,\n"
        "长春德茂精密机械有限公司,13800000001, ,面议,甲\n",
        encoding="utf-8",
    )
    sheet = import_paths(db, [path]).sheets[0]
    assert (sheet.inserted, sheet.updated) == (1, 1)
    extra = json.loads(db.execute("SELECT extra FROM enterprises").fetchone()[0])
    assert extra == {
        "主营产品": "齿轮",
        "注册资本（万元）": 500.0,
        "注册资本（万元）_原文": "面议",
        "备用字段": "甲",
    }
