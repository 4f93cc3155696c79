"""The rendered report opens in LibreOffice: converted to PDF, its text and pages are checked."""

from __future__ import annotations

import shutil
import subprocess

from reportgen.indicators import compute
from reportgen.render import render_report
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
