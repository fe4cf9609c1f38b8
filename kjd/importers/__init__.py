"""Read office rosters (xlsx, xls, CSV) into the database."""

from kjd.importers.pipeline import import_paths
from kjd.importers.report import ImportReport, SheetResult

__all__ = ["ImportReport", "SheetResult", "import_paths"]
