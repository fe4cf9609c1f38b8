"""Locations of the data tables that ship with kjd."""

from pathlib import Path

_SOURCE_DATA = Path(__file__).resolve().parent.parent / "data"
_INSTALLED_DATA = Path(__file__).resolve().parent / "data"


def data_dir() -> Path:
    """Return the folder holding headers.csv, regions.csv and the other tables.

    A source checkout keeps them in data/ beside the package; an installed wheel
    carries the same files as kjd/data.
    """
    if _INSTALLED_DATA.is_dir():
        return _INSTALLED_DATA
    return _SOURCE_DATA


def data_file(name: str) -> Path:
    """Return the path of one table under the data folder."""
    return data_dir() / name
