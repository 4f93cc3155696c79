"""Make docs/images/report-page1.png, the picture in the README: page 1 of the demo report.

    .venv/bin/python docs/make_readme_image.py [REPORT.docx]

The report (default ``out/report.docx``; built with the demo data first when missing, as
``make demo`` does) is converted to PDF by LibreOffice in headless mode with a private profile
folder, and its first page is rendered at 80 dpi by pdftoppm (poppler-utils).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REPORT = ROOT / "out" / "report.docx"
IMAGE = ROOT / "docs" / "images" / "report-page1.png"
DPI = 80


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        sys.exit(f"{tool} not found: install LibreOffice (soffice) and poppler-utils (pdftoppm)")
    return path


def demo_report(out: Path = DEFAULT_REPORT.parent) -> Path:
    """Build the demo report into ``out`` (the same as ``reportgen demo -o out``)."""
    from reportgen import api
    from reportgen.samples_bundle import demo_dirs

    current, previous = demo_dirs()
    return api.build(current, out=out, previous=previous).report


def first_page_png(report: Path, image: Path = IMAGE, dpi: int = DPI) -> Path:
    """Convert ``report`` to PDF with LibreOffice and write its first page to ``image`` as PNG."""
    soffice, pdftoppm = _need("soffice"), _need("pdftoppm")
    with tempfile.TemporaryDirectory(prefix="reportgen-image-") as tmp:
        work = Path(tmp)
        profile = (work / "profile").as_uri()
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(work), str(report)], check=True, capture_output=True, timeout=300)
        pdf = work / (report.stem + ".pdf")
        if not pdf.is_file():
            sys.exit(f"LibreOffice did not write {pdf.name}")
        subprocess.run([pdftoppm, "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(work / "page")], check=True, capture_output=True, timeout=120)
        image.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(work / "page.png", image)
    return image


def main(argv: list[str]) -> None:
    report = Path(argv[0]) if argv else DEFAULT_REPORT
    if not report.is_file():
        if argv:
            sys.exit(f"{report} does not exist")
        print(f"{report.relative_to(ROOT)} missing: building the demo report first")
        report = demo_report()
    image = first_page_png(report.resolve())
    print(f"wrote {image.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
