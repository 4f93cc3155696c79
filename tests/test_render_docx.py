"""report.docx rendered from real indicators: layout (GB/T 9704), content, numbering, determinism."""

from __future__ import annotations

import re
import zipfile

import pytest
from lxml import etree

from reportgen.indicators import compute
from reportgen.render import TEMPLATE_KINDS, render_report
from test_render_context import FORMULA_NAME, TEMPLATE_NAME, district

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}


def part(path, name):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def paragraphs(path):
    body = part(path, "word/document.xml")
    return ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.iter(f"{W}p")]


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    ds, prev = district(tricky=False)
    ind = compute(ds, previous=prev)
    out = tmp_path_factory.mktemp("plain")
    return ind, render_report(ind, out)


@pytest.fixture(scope="module")
def tricky(tmp_path_factory):
    ds, prev = district(tricky=True)
    out = tmp_path_factory.mktemp("tricky")
    return render_report(compute(ds, previous=prev), out)


def test_page_setup_is_gb9704(plain):
    _, result = plain
    sect = part(result.report, "word/document.xml").find(f".//{W}sectPr")
    size, mar = sect.find(f"{W}pgSz"), sect.find(f"{W}pgMar")
    assert (size.get(f"{W}w"), size.get(f"{W}h")) == ("11906", "16838")
    assert [mar.get(f"{W}{k}") for k in ("top", "bottom", "left", "right")] == ["2098", "1984", "1587", "1474"]


def test_styles_have_east_asian_fonts_and_no_theme_fonts(plain):
    _, result = plain
    with zipfile.ZipFile(result.report) as z:
        styles_xml = z.read("word/styles.xml").decode("utf-8")
    for attr in ("asciiTheme", "eastAsiaTheme", "hAnsiTheme", "cstheme"):
        assert f"w:{attr}" not in styles_xml
    styles = etree.fromstring(styles_xml.encode("utf-8"))
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    assert defaults.find(f"{W}rFonts").get(f"{W}eastAsia") == "仿宋_GB2312"
    assert defaults.find(f"{W}rFonts").get(f"{W}ascii") == "Times New Roman"
    assert defaults.find(f"{W}lang").get(f"{W}eastAsia") == "zh-CN"
    by_id = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style")}
    expected = {"Normal": ("仿宋_GB2312", "32"), "Title": ("方正小标宋简体", "44"),
                "Heading1": ("黑体", "32"), "Heading2": ("楷体_GB2312", "32"), "Footer": ("宋体", "28")}
    for sid, (font, size) in expected.items():
        rpr = by_id[sid].find(f"{W}rPr")
        assert rpr.find(f"{W}rFonts").get(f"{W}eastAsia") == font, sid
        assert rpr.find(f"{W}sz").get(f"{W}val") == size, sid
    spacing = by_id["Normal"].find(f"{W}pPr/{W}spacing")
    assert (spacing.get(f"{W}line"), spacing.get(f"{W}lineRule")) == ("578", "exact")
    assert by_id["Normal"].find(f"{W}pPr/{W}ind").get(f"{W}firstLineChars") == "200"
    # every run of the body names its East Asian font
    body = part(result.report, "word/document.xml")
    runs = list(body.iter(f"{W}r"))
    assert runs and all(r.find(f"{W}rPr/{W}rFonts") is not None and
                        r.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") for r in runs)


def test_footers_have_page_field_odd_right_even_left(plain):
    _, result = plain
    with zipfile.ZipFile(result.report) as z:
        settings = z.read("word/settings.xml").decode("utf-8")
        rels = z.read("word/_rels/document.xml.rels").decode("utf-8")
        doc = z.read("word/document.xml").decode("utf-8")
        footers = {}
        for m in re.finditer(r'<w:footerReference w:type="(\w+)" r:id="(\w+)"/>', doc):
            target = re.search(rf'Id="{m.group(2)}"[^>]*Target="([^"]+)"', rels) or \
                re.search(rf'Target="([^"]+)"[^>]*Id="{m.group(2)}"', rels)
            footers[m.group(1)] = etree.fromstring(z.read("word/" + target.group(1)))
    assert "<w:evenAndOddHeaders/>" in settings
    assert set(footers) >= {"default", "even"}
    for kind, align in (("default", "right"), ("even", "left")):
        f = footers[kind]
        instr = "".join(t.text for t in f.iter(f"{W}instrText"))
        assert instr.strip() == "PAGE"
        text = "".join(t.text or "" for t in f.iter(f"{W}t"))
        assert text.startswith("— ") and text.endswith(" —")
        assert f.find(f".//{W}jc").get(f"{W}val") == align
        assert f.find(f".//{W}rFonts").get(f"{W}eastAsia") == "宋体"
        assert f.find(f".//{W}sz").get(f"{W}val") == "28"


def test_tables_and_figures_numbered_in_document_order(plain):
    _, result = plain
    texts = paragraphs(result.report)
    table_caps = [t for t in texts if re.match(r"^表\d+ ", t)]
    fig_caps = [t for t in texts if re.match(r"^图\d+ ", t)]
    assert len(table_caps) >= 3 and len(fig_caps) >= 3
    assert [int(re.match(r"表(\d+)", t).group(1)) for t in table_caps] == list(range(1, len(table_caps) + 1))
    assert [int(re.match(r"图(\d+)", t).group(1)) for t in fig_caps] == list(range(1, len(fig_caps) + 1))
    assert [t.caption for t in result.tables] == table_caps
    body = part(result.report, "word/document.xml")
    assert len(body.findall(f".//{W}tbl")) == len(table_caps)
    assert len(body.findall(f".//{W}drawing")) == len(fig_caps) == len(result.figures)
    with zipfile.ZipFile(result.report) as z:
        assert len([n for n in z.namelist() if n.startswith("word/media/")]) == len(fig_caps)


def test_three_line_tables(plain):
    _, result = plain
    body = part(result.report, "word/document.xml")
    tables = body.findall(f".//{W}tbl")
    for tbl in tables:
        borders = tbl.find(f"{W}tblPr/{W}tblBorders")
        assert borders.find(f"{W}top").get(f"{W}sz") == "12"
        assert borders.find(f"{W}bottom").get(f"{W}sz") == "12"
        for side in ("left", "right", "insideV", "insideH"):
            assert borders.find(f"{W}{side}").get(f"{W}val") == "nil"
        header = [tr for tr in tbl.findall(f"{W}tr") if tr.find(f"{W}trPr/{W}tblHeader") is not None]
        assert header, "the header row repeats on every page"
        rules = [tc.find(f"{W}tcPr/{W}tcBorders/{W}bottom") for tc in header[-1].findall(f"{W}tc")]
        assert all(r is not None and r.get(f"{W}sz") == "6" for r in rules)
    # the committee comparison has a merged two-level header: 本届 and 上届 over 人数/占比
    compare = next(t for t in tables if "本届" in "".join(x.text or "" for x in t.iter(f"{W}t")))
    first = compare.findall(f"{W}tr")[0]
    spans = [tc.find(f"{W}tcPr/{W}gridSpan") for tc in first.findall(f"{W}tc")]
    assert [s.get(f"{W}val") for s in spans if s is not None] == ["2", "2"]
    assert first.find(f".//{W}vMerge").get(f"{W}val") == "restart"
    assert compare.findall(f"{W}tr")[1].find(f".//{W}vMerge") is not None


def test_no_placeholder_leaks(plain):
    _, result = plain
    text = "\n".join(paragraphs(result.report))
    for bad in ("None", "nan", "NaN", "{{", "{%", "}}", "%}", "<NA>", "NaT"):
        assert bad not in text, bad


def test_election_paragraph_states_the_seven_figures(plain):
    _, result = plain
    texts = paragraphs(result.report)
    p1 = next(t for t in texts if "到会率" in t and "连选连任" in t)
    # turnout 25/28; re-elected 6 of 11; secretaries 2 of 3; new 5 of 11 (worked out by hand)
    assert "本期共有3个党组织完成换届选举" in p1
    assert "到会率为89.3%" in p1
    assert "连选连任的6名，占54.5%" in p1
    assert "3名新任书记中连任的2名" in p1  # fewer than report.small_base: counts (issue 18)
    assert "新进班子的5名，占45.5%" in p1
    assert "与上届持平" in p1  # 11 members in both terms
    p2 = texts[texts.index(p1) + 1]
    # ages at each term's election date: 492/11 now, 589/11 before; college 11/11 vs 6/11; women 6 vs 3
    assert "平均年龄44.7岁，比上届年轻8.8岁" in p2
    assert "大专及以上学历的占100.0%，高于上届45.5个百分点" in p2  # one precision (issue 18)
    assert "女性成员6名，占54.5%，比上届多3名" in p2


def test_findings_are_numbered_paragraphs_and_measures_follow(plain):
    from reportgen.findings import rank  # issue 18: ranked by severity, then the larger count
    ind, result = plain
    texts = paragraphs(result.report)
    start = texts.index("六、存在的主要问题")
    end = texts.index("七、下步工作建议")
    items = texts[start + 1:end]
    assert len(items) == len(ind.findings)
    marks = "一二三四五六七八九十"
    for i, (t, f) in enumerate(zip(items, rank(ind.findings))):
        assert t.startswith(f"（{marks[i]}）{f.title}。")
        assert t.endswith(f.sentence)
    measures = texts[end + 1:texts.index("附表")]
    assert measures[0].startswith("（一）") and len(measures) == len({f.measure for f in ind.findings})


def test_sections_and_narrative_placeholder(plain, tmp_path):
    ind, _ = plain
    texts = paragraphs(render_report(ind, tmp_path, kind="换届工作情况报告").report)
    assert texts[0] == "示例区基层党组织换届工作情况报告"
    heads = [t for t in texts if re.match("^[一二三四五]、", t)]
    assert heads == ["一、基本情况", "二、主要做法和成效", "三、存在的主要问题", "四、下步措施和建议"]
    holder = [t for t in texts if t.startswith("【待补充：主要做法")]
    assert holder
    body = part(tmp_path / "report.docx", "word/document.xml")
    marked = [r for r in body.iter(f"{W}r") if r.find(f"{W}rPr/{W}highlight") is not None]
    assert any("待补充" in "".join(t.text for t in r.iter(f"{W}t")) for r in marked)


def test_narrative_paragraphs_replace_the_placeholder(plain, tmp_path):
    ind, _ = plain
    narrative = {"主要做法": ["提前摸排任期。各街道逐个建立换届台账。", "规范选举程序。全程派员指导。"],
                 "经验成效": "班子结构进一步优化。", "下步工作": ["加强换届后的培训。"]}
    result = render_report(ind, tmp_path, kind="换届工作情况报告", narrative=narrative)
    texts = paragraphs(result.report)
    assert "（一）提前摸排任期。各街道逐个建立换届台账。" in texts
    assert "（二）规范选举程序。全程派员指导。" in texts
    assert "班子结构进一步优化。" in texts
    assert "（一）加强换届后的培训。" in texts
    assert not any("待补充" in t for t in texts)


@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_every_kind_renders(plain, tmp_path, kind):
    ind, _ = plain
    result = render_report(ind, tmp_path, kind=kind)
    texts = paragraphs(result.report)
    titles = {"季度统计分析": "示例区2026年第三季度基层党组织和党员队伍统计分析报告",
              "换届工作情况报告": "示例区基层党组织换届工作情况报告",
              "两新组织党建调研": "示例区“两新”组织党建工作调研报告"}
    assert texts[0] == titles[kind]
    assert any(t.startswith("一、") for t in texts)
    assert "数据说明" in texts
    joined = "\n".join(texts)
    assert "None" not in joined and "{{" not in joined and "{%" not in joined
    assert result.tables and (tmp_path / "tables.xlsx").is_file()
    if kind == "两新组织党建调研":
        assert "示例区共有“两新”组织10家" in joined
        assert "已建立党组织的占60.0%" in joined  # 6 of 10 units (单独 4 + 联合 2)


def test_two_renders_are_byte_identical(plain, tmp_path):
    ind, first = plain
    second = render_report(ind, tmp_path)
    assert first.report.read_bytes() == second.report.read_bytes()
    assert first.tables_xlsx.read_bytes() == second.tables_xlsx.read_bytes()
    assert [c.path.read_bytes() for c in first.charts] == [c.path.read_bytes() for c in second.charts]
    with zipfile.ZipFile(second.report) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert z.namelist()[0] == "[Content_Types].xml"
        core = z.read("docProps/core.xml").decode("utf-8")
    assert "2000-01-01T00:00:00Z" in core and "<cp:revision>1</cp:revision>" in core


def test_data_text_is_never_template_code(tricky):
    texts = paragraphs(tricky.report)
    assert any(TEMPLATE_NAME in t for t in texts), "the name is printed literally"
    assert not any("49科技有限公司" in t for t in texts)
    assert any(FORMULA_NAME in t for t in texts)


def test_result_lists_written_files(plain):
    _, result = plain
    assert result.files[:2] == [result.report, result.tables_xlsx]
    assert all(p.is_file() for p in result.files)
    assert {c.key for c in result.charts} == {"age_bands", "education", "committee", "coverage_by_size",
                                              "overdue_by_area"}


def test_sparse_data_leaves_sections_out(tmp_path):
    """Only organizations: no members, elections, committees or units, and no previous period."""
    import pandas as pd

    from reportgen.dataset import Dataset
    from test_render_context import Q3, _orgs

    ds = Dataset.from_frames(Q3, orgs=_orgs(tricky=False))
    result = render_report(compute(ds), tmp_path)
    texts = paragraphs(result.report)
    joined = "\n".join(texts)
    assert texts[0] == "全区2026年第三季度基层党组织和党员队伍统计分析报告"  # no cover units: 全区
    assert not any(t.endswith(("党员队伍结构", "“两新”组织党建工作覆盖")) and "、" in t[:3] for t in texts)
    assert "共有基层党组织10个，其中党委1个、党工委2个、党支部6个、联合党支部1个；本期没有报送党员名册。" in joined
    assert "本期没有党组织进行换届选举。" in joined
    assert "本期没有发展党员。" in joined
    heads = [t for t in texts if re.match("^[一二三四五六七八九]、", t)]
    assert [h[:2] for h in heads] == ["一、", "二、", "三、", "四、", "五、"]  # numbering stays continuous
    for bad in ("None", "nan", "{{", "{%", "上季度"):
        assert bad not in joined, bad
    assert not pd.isna(result.report.stat().st_size)


def test_tab_in_narrative_text_becomes_a_word_tab(plain, tmp_path):
    # docxtpl's listing pass turns a tab inside text into <w:tab/>; reportgen skips that pass
    # only when no text holds such a character, so a tab a user typed is still a tab
    ind, _ = plain
    narrative = {"经验成效": "班子结构进一步优化。\t届中调整及时到位。"}
    result = render_report(ind, tmp_path, kind="换届工作情况报告", narrative=narrative)
    body = part(result.report, "word/document.xml")
    [p] = [p for p in body.iter(f"{W}p") if "班子结构进一步优化。" in "".join(t.text or "" for t in p.iter(f"{W}t"))]
    assert [t.text for t in p.iter(f"{W}t")] == ["班子结构进一步优化。", "届中调整及时到位。"]
    assert len(p.findall(f".//{W}tab")) == 1 and "\t" not in etree.tostring(body, encoding=str)
