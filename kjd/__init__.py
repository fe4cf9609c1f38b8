"""kjd: import, match and report for scientist–entrepreneur matchmaking."""

import sys

__version__ = "0.1.0"


def _import_sqlite_utils_alone() -> None:
    # sqlite-utils imports pandas and numpy when they are installed, only to
    # convert their scalar types in its insert helpers, which kjd calls with
    # plain Python values. Hiding the two during that import saves about
    # 0.4 s at every start; kjd's matching imports them itself when it runs.
    if "sqlite_utils" in sys.modules or "pandas" in sys.modules:
        return
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # makes `import name` raise ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            del sys.modules[name]


_import_sqlite_utils_alone()
