"""A built report (title and sheets), written as xlsx, CSV, JSON or Markdown."""

import logging
from dataclasses import dataclass, field
from pathlib import Path

from kjd.errors import UsageError
from kjd.reports import formats
from kjd.reports.output import atomic_output
from kjd.reports.workbook import SheetSpec, write_workbook

logger = logging.getLogger(__name__)

# CSV files get a byte-order mark so that Excel on Chinese Windows reads them as
# UTF-8; CSV on stdout is for scripts and has none.
CSV_FILE_ENCODING = "utf-8-sig"


@dataclass
class Report:
    """The rows of a report, ready to be written in any format.

    `kind` is "docket" or "summary". `info` contains facts for JSON output
    (filters, period) that the workbook shows in its subtitle.
    """

    kind: str
    title: str
    sheets: list[SheetSpec]
    info: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def sheet(self, key: str | None) -> SheetSpec:
        """Return the sheet with this key or name; the first sheet when None.

        Raises:
            UsageError: no sheet has that key or name.
        """
        if key is None:
            return self.sheets[0]
        for sheet in self.sheets:
            if key in (sheet.key, sheet.name):
                return sheet
        choices = "、".join(sheet.key or sheet.name for sheet in self.sheets)
        raise UsageError(f"没有名为“{key}”的表，--sheet 可选：{choices}", sheet=key)


@dataclass
class ReportResult:
    """The outcome of writing a report: file, format, row counts and warnings.

    `rows` is the number of data rows of the first sheet (the docket pairs or the
    overview lines). `sheets` maps each sheet name to its data rows.
    """

    path: Path | None
    format: str
    rows: int
    sheets: dict[str, int]
    warnings: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "path": str(self.path) if self.path is not None else None,
            "format": self.format,
            "rows": self.rows,
            "sheets": dict(self.sheets),
            "warnings": list(self.warnings),
            **self.info,
        }


def format_for(path: Path | None, requested: str | None) -> str:
    """Return the output format: the requested one, else the file suffix, else xlsx.

    A file name without a suffix gets xlsx; an unknown suffix needs --format.

    Raises:
        UsageError: the format is not one of xlsx, csv, json, md.
    """
    chosen = requested
    if chosen is None and path is not None:
        suffix = Path(path).suffix.lower().lstrip(".")
        chosen = {"markdown": "md", "": "xlsx"}.get(suffix, suffix)
    chosen = (chosen or "xlsx").lower()
    if chosen not in formats.FORMATS:
        raise UsageError(
            f"不支持的格式：{chosen}，--format 可选：{'、'.join(formats.FORMATS)}",
            format=chosen,
        )
    return chosen


def render_text(report: Report, output_format: str, sheet: str | None = None) -> str:
    """Return the report as CSV (one sheet), JSON or Markdown text."""
    if output_format == "csv":
        return formats.to_csv(report.sheet(sheet))
    sheets = report.sheets if sheet is None else [report.sheet(sheet)]
    if output_format == "json":
        return formats.to_json(report.title, report.kind, sheets, report.info)
    if output_format == "md":
        return formats.to_markdown(report.title, sheets)
    raise UsageError(f"{output_format} 格式只能写入文件，请用 -o 指定文件名。")


def write_report(
    report: Report,
    path: Path,
    *,
    output_format: str | None = None,
    sheet: str | None = None,
    force: bool = False,
) -> ReportResult:
    """Write `report` to `path` in the given format (default: from the suffix).

    Raises:
        OutputExists: the file exists and `force` is False.
        OutputNotWritable: the file is locked or its folder cannot be written.
        UsageError: unknown format or sheet.
    """
    path = Path(path)
    chosen = format_for(path, output_format)
    warnings = list(report.warnings)
    if chosen == "xlsx":
        written = write_workbook(path, report.sheets, force=force)
        sheets = written.sheets
        warnings.extend(written.warnings)
    else:
        text = render_text(report, chosen, sheet)
        encoding = CSV_FILE_ENCODING if chosen == "csv" else "utf-8"
        with atomic_output(path, force=force) as temporary:
            temporary.write_text(text, encoding=encoding, newline="")
        selected = report.sheets if chosen != "csv" else [report.sheet(sheet)]
        sheets = {spec.name: len(spec.rows) for spec in selected}
    logger.info("%s report written to %s", report.kind, path)
    return ReportResult(
        path=path,
        format=chosen,
        rows=len(report.sheets[0].rows),
        sheets=sheets,
        warnings=warnings,
        info=report.info,
    )
