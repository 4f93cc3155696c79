"""Report templates: the shipped defaults are current; users' templates fail with Chinese messages
that say what to change; the sandbox holds."""

from __future__ import annotations

import importlib.util
import io
import zipfile
from pathlib import Path

import pytest
from docx import Document

from reportgen.indicators import compute
from reportgen.render import TEMPLATE_KINDS, TemplateProblem, export_template, render_report, template_path
from test_render_context import district
from test_render_docx import paragraphs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def ind():
    ds, prev = district(tricky=False)
    return compute(ds, previous=prev)


def make_template(path: Path, *lines: str) -> Path:
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    doc.save(path)
    return path


def problem(ind, tmp_path, *lines) -> str:
    tpl = make_template(tmp_path / "custom.docx", *lines)
    with pytest.raises(TemplateProblem) as err:
        render_report(ind, tmp_path / "out", template=tpl)
    return str(err.value)


def test_shipped_templates_are_built_by_the_script(tmp_path):
    spec = importlib.util.spec_from_file_location("build_templates", ROOT / "templates" / "build_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build(tmp_path)
    assert [p.stem for p in built] == list(TEMPLATE_KINDS)
    for p in built:
        assert p.read_bytes() == template_path(p.stem).read_bytes(), f"{p.name} is stale: run make templates"


def test_custom_template_renders_with_the_report_layout(ind, tmp_path):
    tpl = make_template(tmp_path / "mine.docx", "{{ district }}共有党员{{ members.total }}名。",
                        "{%p if elections.overdue_count %}", "到期未换届{{ elections.overdue_count }}个。",
                        "{%p endif %}", "{{p members.age_bands }}", "{{p charts.age_bands }}")
    result = render_report(ind, tmp_path / "out", template=tpl)
    texts = paragraphs(result.report)
    assert texts[0] == "示例区共有党员85名。"
    assert "到期未换届2个。" in texts
    assert "表1 党员年龄结构" in texts and "图1 党员年龄结构" in texts
    assert [c.key for c in result.charts] == ["age_bands"]  # only the charts the template shows
    with zipfile.ZipFile(result.report) as z:
        styles = z.read("word/styles.xml").decode("utf-8")
    assert 'w:styleId="RGTableText"' in styles and "w:asciiTheme" not in styles


def test_unknown_variable_names_the_closest(ind, tmp_path):
    msg = problem(ind, tmp_path, "女党员占{{ members.femal_share|pct }}。")
    assert "members.femal_share" in msg and "不存在" in msg
    assert "members.female_share" in msg
    assert "第1段" in msg and "女党员占" in msg
    msg = problem(ind, tmp_path, "共有{{ memebrs.total }}名党员。")
    assert "“memebrs”" in msg and "members" in msg


def test_defined_test_tolerates_unknown_names(ind, tmp_path):
    tpl = make_template(tmp_path / "ok.docx", "开始{% if foo is defined %}{{ foo }}{% endif %}结束。")
    assert paragraphs(render_report(ind, tmp_path / "out", template=tpl).report)[0] == "开始结束。"


def test_unknown_filter(ind, tmp_path):
    msg = problem(ind, tmp_path, "{{ members.female_share|pcnt }}")
    assert "过滤器“pcnt”不存在" in msg and "pct" in msg


def test_syntax_error_names_the_paragraph(ind, tmp_path):
    msg = problem(ind, tmp_path, "第一段。", "{% if members.total %}党员很多。")
    assert "语法错误" in msg and "endif" in msg and "第2段" in msg and "党员很多" in msg


def test_block_inside_a_sentence_is_refused(ind, tmp_path):
    msg = problem(ind, tmp_path, "年龄结构见{{ members.age_bands }}。")
    assert "单独" in msg and "{{p members.age_bands}}" in msg


def test_sandbox_limits(ind, tmp_path):
    assert "range" in problem(ind, tmp_path, "{% for i in range(20000) %}x{% endfor %}")
    assert "过长" in problem(ind, tmp_path, "{{ 'x' * 1000000 }}")
    msg = problem(ind, tmp_path, "{{ ''.__class__.__mro__ }}")
    assert "不允许" in msg or "不存在" in msg


def test_oversized_and_broken_templates(ind, tmp_path):
    src = make_template(tmp_path / "base.docx", "正文。")
    big = tmp_path / "big.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body><!--" + b" " * (21 * 1024 * 1024) + b"-->")
            zout.writestr(item.filename, data)
    with pytest.raises(TemplateProblem, match="20 MB"):
        render_report(ind, tmp_path / "out", template=big)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip at all")
    with pytest.raises(TemplateProblem, match="已损坏或不是 .docx"):
        render_report(ind, tmp_path / "out", template=broken)
    with pytest.raises(TemplateProblem, match="找不到报告模板"):
        render_report(ind, tmp_path / "out", template="年度总结")


def test_export_template_round_trip(ind, tmp_path):
    path = export_template("换届工作情况报告", tmp_path / "我的模板.docx")
    assert path.read_bytes() == template_path("换届工作情况报告").read_bytes()
    texts = paragraphs(render_report(ind, tmp_path / "out", template=path).report)
    assert texts[0] == "示例区基层党组织换届工作情况报告"
    with pytest.raises(TemplateProblem, match="可选"):
        export_template("年度总结", tmp_path / "x.docx")


def test_template_opens_in_python_docx_with_tags_visible():
    doc = Document(io.BytesIO(template_path("季度统计分析").read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "{{ sec() }}基本情况" in text and "{{p charts.age_bands }}" in text
    assert "{{ committee.secretary_reelected_share|pct }}" in text


def test_template_guide_is_current():
    from reportgen.render.guide import GUIDE_PATH, guide_text

    assert GUIDE_PATH.read_text(encoding="utf-8") == guide_text(), \
        "docs/模板说明.md is stale: run python -m reportgen.render.guide"


def test_every_variable_of_the_default_templates_is_in_the_guide():
    import re

    from reportgen.render.guide import guide_text

    guide = guide_text()
    pattern = r"\b((?:orgs|members|development|elections|committee|coverage|sources|thresholds|tables|charts)\.\w+)"
    seen = set()
    for kind in TEMPLATE_KINDS:
        doc = Document(io.BytesIO(template_path(kind).read_bytes()))
        tags = re.findall(r"\{\{.*?\}\}|\{%.*?%\}", "\n".join(p.text for p in doc.paragraphs))
        for tag in tags:
            seen.update(re.findall(pattern, tag))
    assert len(seen) > 60
    missing = sorted(n for n in seen if f"`{n}`" not in guide)
    assert not missing, missing
