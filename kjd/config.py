"""Settings resolved once per command: option, then KJD_* variable, then default."""

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB = "kjd.db"
BUSY_TIMEOUT_SECONDS = 10


@dataclass
class Settings:
    """Options shared by every command."""

    db_path: Path = Path(DEFAULT_DB)
    json: bool = False
    quiet: bool = False
    verbose: int = 0
    debug: bool = False


def resolve_db_path(option: str | None) -> Path:
    """Return the database path from --db, else KJD_DB, else kjd.db here."""
    value = option or os.environ.get("KJD_DB") or DEFAULT_DB
    return Path(value).expanduser()


def debug_from_env() -> bool:
    """Return True when KJD_DEBUG asks for tracebacks."""
    return os.environ.get("KJD_DEBUG", "").strip() not in ("", "0", "false")
