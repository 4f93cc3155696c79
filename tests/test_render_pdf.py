"""The outputs open in LibreOffice: the report converted to PDF (its text and pages checked), the
tables and validation workbooks converted to CSV by Calc (their cells checked)."""

from __future__ import annotations

import csv
import shutil
import subprocess

from conftest import valid_sheets, write_workbook
from reportgen.indicators import compute
from reportgen.ingest import load
from reportgen.render import render_report
from reportgen.validate.workbook import write_validation_xlsx
from test_render_context import district


def _run(cmd, cwd=None, timeout=240):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=True)


def test_report_converts_to_pdf_with_its_text(tmp_path):
    assert shutil.which("soffice") and shutil.which("pdftotext") and shutil.which("pdftoppm")
    ds, prev = district(tricky=False)
    result = render_report(compute(ds, previous=prev), tmp_path / "out")
    profile = (tmp_path / "lo-profile").as_uri()
    _run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
          "--outdir", str(tmp_path), str(result.report)])
    pdf = tmp_path / "report.pdf"
    assert pdf.is_file()
    info = _run(["pdfinfo", str(pdf)]).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages > 1
    text = _run(["pdftotext", "-layout", str(pdf), "-"]).stdout
    flat = "".join(text.split())
    assert "示例区2026年第三季度基层党组织和党员队伍统计分析" in flat
    assert "到会率为89.3%" in flat
    assert "表1党组织按组织类别分布" in flat and "图1党员年龄结构" in flat
    assert "—1—" in flat and "—2—" in flat  # page numbers from the PAGE field
    _run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page")])
    assert len(list(tmp_path.glob("page-*.png"))) == 2


def _calc_csv(book, tmp_path) -> list[list[str]]:
    """The first sheet of ``book`` as LibreOffice Calc reads it (exported as UTF-8 CSV)."""
    profile = (tmp_path / "lo-profile").as_uri()
    out = tmp_path / "csv"
    _run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to",
          "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out), str(book)])
    with (out / f"{book.stem}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_tables_and_validation_workbooks_open_in_calc(tmp_path):
    ds, prev = district(tricky=False)
    result = render_report(compute(ds, previous=prev), tmp_path / "out")
    index = _calc_csv(result.tables_xlsx, tmp_path)
    assert index[1][:4] == ["序号", "工作表", "内容", "行数"]
    assert index[2][0] == "1" and "党组织按组织类别分布" in index[2][2]

    sheets = valid_sheets()
    members = sheets["党员"]
    bad = list(members[1])
    bad[0], bad[1] = "戊五", None
    bad[members[0].index("所在党组织编码")] = "Z99"
    members.append(bad)
    write_workbook(tmp_path / "in" / "示例党委.xlsx", sheets)
    book = write_validation_xlsx(load(tmp_path / "in", period="2026Q3"), tmp_path / "validation.xlsx")
    rows = _calc_csv(book, tmp_path)
    assert rows[0][:3] == ["文件", "工作表", "行号"]
    hit = [r for r in rows if "set.unknown_org" in r]
    assert len(hit) == 1 and hit[0][0] == "示例党委.xlsx" and hit[0][2] == str(len(members))  # header row 1
    assert hit[0][4] == "Z99" and hit[0][5] == "错误"
