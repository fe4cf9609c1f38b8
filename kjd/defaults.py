"""Defaults that command-line options show, kept apart from the modules that use them.

The command modules read these when `kjd` starts, before the matching and
report modules (pandas, jieba, openpyxl) are loaded for the one command that
runs.
"""

from pathlib import Path

MATCH_LIMIT = 10
MATCH_THRESHOLD = 20.0
DEDUPE_THRESHOLD = 85.0
OUTPUT_DIR = Path("输出")
