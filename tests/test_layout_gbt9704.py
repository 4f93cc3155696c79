"""GB/T 9704-2012 details of the report layout (issue 18): the 28 × 22 grid, the title broken at
a phrase boundary, font fallbacks for a stock Windows, styles of 三级/四级 headings, 落款 and
成文日期 from the config, the 附件 layout — read back from the templates, the sample reports and a
LibreOffice PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from reportgen import zh
from reportgen.render import fonts
from reportgen.render.docx import template_path

ROOT = Path(__file__).resolve().parent.parent
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
KINDS = ("季度统计分析", "换届工作情况报告", "两新组织党建调研")


def _part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def _style(styles: etree._Element, style_id: str) -> etree._Element:
    found = styles.find(f"{W}style[@{W}styleId='{style_id}']")
    assert found is not None, style_id
    return found


# --------------------------------------------------------------------------- titles


@pytest.mark.parametrize("title, first, second", [
    ("示例区2026年第三季度党员队伍和基层组织建设情况统计分析报告", "示例区2026年第三季度党员队伍和",
     "基层组织建设情况统计分析报告"),
    ("示例区2026年第三季度基层党组织和党员队伍统计分析报告", "示例区2026年第三季度基层党组织和",
     "党员队伍统计分析报告"),
    ("关于示例区某某街道2026年度党员队伍建设情况的调研报告", "关于示例区某某街道2026年度",
     "党员队伍建设情况的调研报告"),
])
def test_title_breaks_between_phrases(title, first, second):
    assert zh.title_lines(title) == [first, second]
    assert zh.title_break(title) == f"{first}\n{second}"


def test_title_never_breaks_inside_a_word():
    title = "示例区2026年第三季度党员队伍和基层组织建设情况统计分析报告"
    for cut in zh.title_breaks(title):
        left, right = title[:cut], title[cut:]
        for word in ("党员队伍", "基层", "组织", "季度", "2026", "情况", "统计", "分析", "报告", "示例区"):
            for i in range(1, len(word)):
                assert not (left.endswith(word[:i]) and right.startswith(word[i:])), (cut, word)
    assert "党员队/伍" not in "/".join(zh.title_lines(title))
    assert zh.title_lines("示例区基层党组织换届工作情况报告") == ["示例区基层党组织换届工作情况报告"]
    for line in zh.title_lines(title):
        assert zh.text_width(line) <= zh.TITLE_CHARS


# --------------------------------------------------------------------------- templates


@pytest.mark.parametrize("kind", KINDS)
def test_template_grid_and_fonts(kind):
    path = template_path(kind)
    doc = _part(path, "word/document.xml")
    grid = doc.find(f".//{W}sectPr/{W}docGrid")
    assert grid.get(f"{W}linePitch") == "579"  # 225 mm / 22 lines
    assert grid.get(f"{W}type") == fonts.GRID_TYPE
    styles = _part(path, "word/styles.xml")
    normal = _style(styles, "Normal")
    assert normal.find(f"{W}rPr/{W}sz").get(f"{W}val") == "32"  # 三号
    condense = int(normal.find(f"{W}rPr/{W}spacing").get(f"{W}val"))
    # 28 characters of 16 pt condensed by |condense|/20 pt fill the 156 mm line, 29 do not
    advance = 16 + condense / 20
    assert int(fonts.TEXT_WIDTH / 20 // advance) == 28
    table = _part(path, "word/fontTable.xml")
    alts = {f.get(f"{W}name"): f.find(f"{W}altName").get(f"{W}val")
            for f in table.findall(f"{W}font") if f.find(f"{W}altName") is not None}
    assert alts["仿宋_GB2312"] == "仿宋" and alts["楷体_GB2312"] == "楷体" and alts["方正小标宋简体"] == "宋体"
    hei = table.find(f"{W}font[@{W}name='黑体']")
    assert hei.find(f"{W}charset").get(f"{W}val") == "86" and hei.find(f"{W}panose1") is not None


def test_heading_and_attachment_styles():
    styles = _part(template_path("换届工作情况报告"), "word/styles.xml")
    h3, h4 = _style(styles, "Heading3"), _style(styles, "Heading4")
    assert h3.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") == "仿宋_GB2312"
    assert h3.find(f"{W}rPr/{W}b").get(f"{W}val") is None  # bold
    assert h3.find(f"{W}pPr/{W}outlineLvl").get(f"{W}val") == "2"
    assert h4.find(f"{W}rPr/{W}b").get(f"{W}val") == "0"
    assert h4.find(f"{W}pPr/{W}outlineLvl").get(f"{W}val") == "3"
    mark = _style(styles, "RGAttachMark")
    assert mark.find(f"{W}pPr/{W}pageBreakBefore") is not None
    assert mark.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") == "黑体"
    assert mark.find(f"{W}pPr/{W}jc") is None  # top left
    note = _style(styles, "RGAttachNote").find(f"{W}pPr/{W}ind")
    assert note.get(f"{W}hangingChars") == "450" and note.get(f"{W}leftChars") == "650"
    for sid in ("RGSignature", "RGDate"):
        assert _style(styles, sid).find(f"{W}pPr/{W}jc").get(f"{W}val") == "right"


# --------------------------------------------------------------------------- rendered reports


@pytest.fixture(scope="module")
def elections_report(tmp_path_factory):
    from reportgen import api

    folder = tmp_path_factory.mktemp("layout")
    cfg = folder / "config.yaml"
    cfg.write_text("report:\n  signature_unit: 中共示例区委组织部\n  date: 2026-12-06\n"
                   "  appendix_min_rows: 15\n", encoding="utf-8")
    api.build(ROOT / "data_samples" / "2026Q3", out=folder / "out", config=cfg,
              previous=ROOT / "data_samples" / "2026Q2", template="换届工作情况报告")
    return folder / "out" / "report.docx"


def test_signature_and_date_from_the_config(elections_report):
    doc = Document(str(elections_report))
    paras = [(p.style.name, p.text) for p in doc.paragraphs]
    texts = [t for _, t in paras]
    i = texts.index("中共示例区委组织部")
    assert paras[i][0] == "落款" and paras[i + 1] == ("成文日期", "2026年12月6日")
    assert texts.index("数据说明") > i  # after the body, before the data note
    table = _part(elections_report, "word/fontTable.xml")  # the rendered report declares them too
    fang = table.find(f"{W}font[@{W}name='仿宋_GB2312']")
    assert fang.find(f"{W}altName").get(f"{W}val") == "仿宋"
    assert fang.find(f"{W}charset").get(f"{W}val") == "86"


def test_long_lists_go_to_attachments(elections_report):
    doc = Document(str(elections_report))
    paras = [(p.style.name, p.text) for p in doc.paragraphs]
    notes = [t for s, t in paras if s in ("附件说明", "附件说明续")]
    assert notes[0] == "附件：1. 到期未换届党组织名单" and notes[1] == "2. 即将届满党组织名单"
    marks = [i for i, (s, _) in enumerate(paras) if s == "附件标识"]
    assert [paras[i][1] for i in marks] == ["附件1", "附件2"]
    assert paras[marks[0] + 1] == ("附件标题", "到期未换届党组织名单")
    # the 72-row list is in 附件2, not among the 附表
    body = doc.element.body
    captions = [p.text for p in doc.paragraphs if p.style.name == "表题"]
    assert any("即将届满党组织名单" in c for c in captions)
    assert len(body.findall(f".//{W}tbl")) >= 2


def _full_lines(text: str) -> list[int]:
    """Lengths of the body lines made only of Chinese characters and punctuation that are
    followed by another line of the same paragraph (the last line of a paragraph is short)."""
    lines = [re.sub(r"\s+", "", ln) for ln in text.splitlines()]
    out = []
    for line, nxt in zip(lines, lines[1:]):
        if len(line) >= 20 and nxt and not re.search(r"[\x00-\x7f]", line + nxt[:1]):
            out.append(len(line))
    return out


def test_pdf_has_28_characters_a_line(tmp_path):
    assert shutil.which("soffice") and shutil.which("pdftotext")
    from reportgen import api

    api.build(ROOT / "data_samples" / "2026Q3", out=tmp_path / "out",
              previous=ROOT / "data_samples" / "2026Q2", template="换届工作情况报告")
    profile = (tmp_path / "lo").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "out" / "report.docx")],
                   capture_output=True, timeout=240, check=True)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"],
                          capture_output=True, text=True, timeout=60, check=True).stdout
    lengths = _full_lines(text)
    assert len(lengths) >= 10, lengths
    most, _ = Counter(lengths).most_common(1)[0]
    assert most == fonts.GRID_CHARS, Counter(lengths)
    assert max(lengths) <= fonts.GRID_CHARS + 1  # a line may take one closing mark (避头尾)
    print(Counter(lengths))


def test_a_users_title_without_the_filter_is_broken_too(tmp_path):
    """A user's template that writes {{ title }} (no |title_break) still gets the break."""
    import io

    from docx import Document as New

    from reportgen.indicators import compute
    from reportgen.ingest import load
    from reportgen.render import render_report

    doc = New(io.BytesIO(template_path("季度统计分析").read_bytes()))
    title = doc.paragraphs[0]
    assert "title_break" in title.text
    title.runs[0].text = "{{ title }}"
    for r in title.runs[1:]:
        r.text = ""
    path = tmp_path / "我的模板.docx"
    doc.save(str(path))
    ds = load(ROOT / "data_samples" / "2026Q3", period="2026Q3")
    result = render_report(compute(ds), tmp_path / "out", template=path,
                           title="示例区2026年第三季度党员队伍和基层组织建设情况统计分析报告")
    text = Document(str(result.report)).paragraphs[0].text
    assert text == "示例区2026年第三季度党员队伍和\n基层组织建设情况统计分析报告"
