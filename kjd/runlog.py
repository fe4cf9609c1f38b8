"""Plain timestamped lines appended to the file named by `kjd run --log`."""

from datetime import datetime
from pathlib import Path

from kjd.errors import OutputNotWritable


class RunLog:
    """Append one line per event; a no-op when no path is given."""

    def __init__(self, path: Path | None):
        self.path = path
        if path is not None:
            self.write("run started")

    def write(self, message: str) -> None:
        if self.path is None:
            return
        stamp = datetime.now().isoformat(timespec="seconds")
        try:
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(f"{stamp} {message}\n")
        except OSError as exc:
            raise OutputNotWritable(
                f"无法写入日志文件 {self.path}：{exc}", path=str(self.path)
            ) from exc

    def write_result(self, result) -> None:
        """Log each file's fate, the counts, the outputs and the exit code."""
        for path in result.files_imported:
            self.write(f"imported {path}")
        for path in result.files_unchanged:
            self.write(f"unchanged {path}")
        for entry in result.files_skipped:
            self.write(f"skipped {entry['path']} ({entry['reason']})")
        for entry in result.files_failed:
            self.write(f"failed {entry['path']}: {entry['message']}")
        self.write(
            f"rows inserted={result.rows_inserted} updated={result.rows_updated} "
            f"rejected={result.rows_rejected}; matches proposed="
            f"{result.matches_proposed} for {result.demands_matched} demands"
        )
        verb = "kept" if result.outputs_unchanged else "wrote"
        for report, path in result.outputs.items():
            self.write(f"{verb} {report} {path}")
        if result.failed_step:
            self.write(f"step {result.failed_step} failed: {result.error}")
        self.write(f"run finished status={result.status} exit={result.exit_code}")
