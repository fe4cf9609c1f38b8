"""Render the docket and the summary to PDF and PNG pages, and check the text.

Needs LibreOffice (`soffice`) and poppler (`pdftoppm`, `pdftotext`), on Debian:
    apt-get install libreoffice-calc fonts-noto-cjk poppler-utils

The script writes a multi-page docket and a summary from generated data (or from
the database given with --db), converts them with
`soffice --headless --convert-to pdf`, turns each page into a PNG with pdftoppm,
and checks on the text of every page that the title and the first and last
column headers are there (the repeated print titles, no column cut off). Look
at the PNGs as well: fonts, wrapping and charts are only visible there.

Run: PYTHONPATH=. python benchmarks/render_check.py [--db kjd.db] [--out DIR]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.report_bench import build_database
from kjd.db import open_db
from kjd.reports.docket import build_docket
from kjd.reports.report import write_report
from kjd.reports.summary import build_summary

# LibreOffice on Linux has no 宋体 or 黑体; map both to Noto Sans CJK SC so the
# page shows the CJK glyphs and metrics a Chinese font would give.
FONT_ALIASES = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias><family>宋体</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
  <alias><family>黑体</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
</fontconfig>
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="render from this kjd database")
    parser.add_argument("--out", type=Path, default=Path("render-check"))
    parser.add_argument("--pairs", type=int, default=160)
    parser.add_argument("--dpi", type=int, default=70)
    arguments = parser.parse_args()

    for tool in ("soffice", "pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            print(f"missing tool: {tool} (see the module docstring)", file=sys.stderr)
            return 2
    out = arguments.out
    out.mkdir(parents=True, exist_ok=True)
    if arguments.db:
        db = open_db(arguments.db)
    else:
        (out / "render.db").unlink(missing_ok=True)
        db = build_database(out / "render.db", arguments.pairs)
        add_activity(db)

    reports = {
        "docket": build_docket(db),
        "summary": build_summary(db),
    }
    failures = 0
    for name, report in reports.items():
        workbook = out / f"{name}.xlsx"
        write_report(report, workbook, force=True)
        pdf = convert_to_pdf(workbook, out)
        pages = page_texts(pdf)
        images = render_pages(pdf, out / name, arguments.dpi)
        print(f"{name}: {pdf} — {len(pages)} pages, PNG: {images[0].parent}")
        failures += check_pages(name, report, pages)
    return 1 if failures else 0


def add_activity(db) -> None:
    """Add what the generated matches lack: unmatched demands with formula-like
    names, an event with meetings, and outcomes, so every sheet has rows."""
    names = ["=1+1", "-40℃低温冷启动技术", "@德茂公司 联合攻关", "冷链物流保鲜"]
    first = db.execute("SELECT max(id) FROM demands").fetchone()[0] + 1
    db["demands"].insert_all(
        {
            "id": first + offset,
            "natural_key": f"extra{offset}",
            "enterprise_id": 1,
            "title": name,
            "description": "未找到合适的成果",
            "city": "白山市",
        }
        for offset, name in enumerate(names)
    )
    db["events"].insert(
        {
            "id": 1,
            "name": "2025 吉林省科技成果对接会",
            "date": "2025-03-18",
            "venue": "长春国际会展中心",
            "organizers": "吉林省科学技术厅",
        }
    )
    pairs = db.execute(
        "SELECT demand_id, target_type, target_id FROM matches "
        "WHERE status = 'accepted' LIMIT 30"
    ).fetchall()
    db["meetings"].insert_all(
        {
            "event_id": 1,
            "demand_id": d,
            "target_type": t,
            "target_id": i,
            "slot": f"{9 + n // 6}:{(n % 6) * 10:02d}",
            "table_number": str(n % 6 + 1),
        }
        for n, (d, t, i) in enumerate(pairs)
    )
    db["outcomes"].insert_all(
        {
            "demand_id": d,
            "target_type": t,
            "target_id": i,
            "event_id": 1,
            "stage": ("intent", "signed", "landed")[n % 3],
            "amount": 50.0 + n * 10,
            "date": "2025-04-01",
        }
        for n, (d, t, i) in enumerate(pairs[:12])
    )


def convert_to_pdf(workbook: Path, out: Path) -> Path:
    with tempfile.TemporaryDirectory() as profile:
        fonts = Path(profile) / "fonts.conf"
        fonts.write_text(FONT_ALIASES, encoding="utf-8")
        env = {**os.environ, "FONTCONFIG_FILE": str(fonts)}
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}/lo",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(workbook),
            ],
            check=True,
            capture_output=True,
            env=env,
            timeout=300,
        )
    return out / f"{workbook.stem}.pdf"


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


def render_pages(pdf: Path, prefix: Path, dpi: int) -> list[Path]:
    for old in prefix.parent.glob(f"{prefix.name}-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True
    )
    return sorted(prefix.parent.glob(f"{prefix.name}-*.png"))


def check_pages(name: str, report, pages: list[str]) -> int:
    """Print one line per sheet: do its pages all show the title and headers?"""
    failures = 0
    for sheet, texts in split_by_sheet(report, pages):
        columns = sheet.table_columns()
        needed = [sheet.title, columns[0].header, columns[-1].header]
        missing = [
            (number, word)
            for number, text in enumerate(texts, start=1)
            for word in needed
            if word not in text.replace(" ", "")
        ]
        status = "ok" if not missing else f"missing {missing[:5]}"
        print(
            f"  {name} › {sheet.name}: {len(texts)} pages, title and headers {status}"
        )
        failures += bool(missing) or not texts
    return failures


def split_by_sheet(report, pages: list[str]) -> list[tuple]:
    # Each sheet starts on a new page; a page belongs to the last sheet whose
    # title it shows.
    result: dict[int, list[str]] = {index: [] for index in range(len(report.sheets))}
    current = 0
    for text in pages:
        flat = text.replace(" ", "")
        for index, sheet in enumerate(report.sheets):
            if sheet.title in flat:
                current = index
                break
        result[current].append(text)
    return [(report.sheets[index], texts) for index, texts in result.items()]


if __name__ == "__main__":
    sys.exit(main())
