"""report.docx: a docxtpl template rendered with the report context, laid out after GB/T 9704.

The flow of :func:`render_report`: complete the context (context.py), start drawing the charts
(chartset.py: here or in a helper process), check the template (engine.py: syntax, unknown names,
blocks on their own paragraph), render it in a sandbox with a placeholder image per chart, give
every run an explicit East Asian font, fix the core properties; write tables.xlsx with the tables
in the order the report numbered them; then put the charts' PNGs in place of the placeholders,
re-zip with a fixed order and date so that two runs give identical bytes, and write it atomically.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from docx.oxml import OxmlElement
from docxtpl import DocxTemplate
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError, UndefinedError
from lxml import etree

from .. import zh
from ..outputs import OUTPUT_CATEGORY, atomic_write
from . import fonts
from .blocks import RenderState, wrap
from .chartset import CHART_TITLES, ChartInfo, ChartProcess, ChartSet, draw_here
from .context import KINDS, report_context
from .engine import (MAX_TEMPLATE_XML, HeadingCounter, TemplateProblem, _known_names,
                     check_blocks_on_own_paragraph, check_template, known_names, make_environment,
                     syntax_message)
from .ooxml import STYLE_FONTS, W, ensure_styles, fix_font_table
from .tables import TableSpec

TEMPLATE_KINDS = KINDS
FIXED_TIME = datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
AUTHOR = "reportgen"


@dataclass
class RenderResult:
    """What render_report wrote: the report, the tables workbook, the charts, and the numbered
    tables and figures in document order."""

    report: Path
    tables_xlsx: Path
    charts: list[ChartInfo] = field(default_factory=list)
    tables: list[TableSpec] = field(default_factory=list)
    figures: list[ChartInfo] = field(default_factory=list)
    kind: str = KINDS[0]
    template: Path | None = None

    @property
    def files(self) -> list[Path]:
        return [self.report, self.tables_xlsx, *(c.path for c in self.charts)]


def template_path(kind: str) -> Path:
    """The default template of a report kind, shipped in reportgen/templates/."""
    if kind not in KINDS:
        raise TemplateProblem(f"没有“{kind}”这种报告模板，可选：{'、'.join(KINDS)}")
    return Path(str(resources.files("reportgen") / "templates" / f"{kind}.docx"))


def export_template(kind: str, path: str | Path) -> Path:
    """Copy the default template of ``kind`` to ``path`` for editing in Word or WPS."""
    src = template_path(kind)
    target = Path(path)
    with atomic_write(target) as tmp:
        shutil.copyfile(src, tmp)
    return target


def _resolve(kind: str, template: str | Path | None) -> tuple[str, Path]:
    if template is None:
        return kind, template_path(kind)
    if isinstance(template, str) and template in KINDS:
        return template, template_path(template)
    path = Path(template)
    if not path.is_file():
        raise TemplateProblem(f"找不到报告模板“{template}”：请写报告类型（{'、'.join(KINDS)}）"
                              "或一个 .docx 模板文件的路径")
    if path.suffix.lower() != ".docx":
        raise TemplateProblem(f"报告模板“{path.name}”不是 .docx 文件：请在 Word 或 WPS 中另存为 .docx")
    return kind, path


def _kind_of(tpl: DocxTemplate, path: Path) -> str | None:
    """The kind of a user's template exported from a default one (its core title or file name)."""
    title = tpl.docx.core_properties.title or ""
    for kind in KINDS:
        if title.startswith(kind) or kind in path.stem:
            return kind
    return None


def _check_size(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if info.filename.endswith(".xml") and info.file_size > MAX_TEMPLATE_XML:
                    raise TemplateProblem(f"报告模板“{path.name}”的内容过大（{info.filename} 超过 20 MB），"
                                          "已拒绝：请删去模板中多余的内容")
            if "word/document.xml" not in z.namelist():
                raise TemplateProblem(f"报告模板“{path.name}”不是有效的 Word 文档，请在 Word 中另存为 .docx")
    except zipfile.BadZipFile:
        raise TemplateProblem(f"报告模板“{path.name}”已损坏或不是 .docx 文件，请在 Word 中另存为 .docx") \
            from None


# Text in which docxtpl's listing pass has something to do: a tab, line break, paragraph mark
# (\a) or page break (\f) inside a <w:t> (its attributes included, as docxtpl's own pattern has).
_LISTING_CHARS = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\t\a\n\f]|<w:t [^>]*[\t\a\n\f]")

# A user's template is parsed without entity expansion, network access or huge trees.
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class _Template(DocxTemplate):
    """docxtpl with a strict XML check: a block written inside a sentence fails clearly."""

    def fix_tables(self, xml):  # noqa: D102
        try:
            etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml, _SAFE_PARSER)
        except etree.XMLSyntaxError:
            raise TemplateProblem("报告模板渲染后的内容不是有效的 Word 文档：多半是表格、图或成段文字写在了句子"
                                  "中间。请把它们单独放在一段里，写成 {{p 名称}}。") from None
        return super().fix_tables(xml)

    def resolve_listing(self, xml):  # noqa: D102
        # docxtpl rewrites every paragraph, run and text with nested regex callbacks (0.1 s for a
        # 200k report) to turn those characters into Word's own; with none of them the result is
        # the input, so it is skipped
        if _LISTING_CHARS.search(xml) is None:
            return xml
        return super().resolve_listing(xml)


def _patched_source(tpl: DocxTemplate) -> str:
    import re

    src = tpl.patch_xml(tpl.get_xml())
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", src)


def ensure_run_fonts(body: etree._Element) -> None:
    """Give every run without an explicit East Asian font the font of its paragraph style."""
    for r in etree.ElementBase.xpath(body, ".//w:r[not(w:rPr/w:rFonts/@w:eastAsia)]",
                                     namespaces={"w": W[1:-1]}):
        p = r.getparent()
        while p is not None and p.tag != f"{W}p":
            p = p.getparent()
        style = None
        if p is not None:
            ps = p.find(f"{W}pPr/{W}pStyle")
            style = ps.get(f"{W}val") if ps is not None else None
        east = STYLE_FONTS.get(style or "Normal", fonts.FANGSONG)
        rpr = r.find(f"{W}rPr")
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            r.insert(0, rpr)
        rf = rpr.find(f"{W}rFonts")
        if rf is None:
            rf = OxmlElement("w:rFonts")
            style_el = rpr.find(f"{W}rStyle")
            rpr.insert(1 if style_el is not None else 0, rf)
        rf.set(f"{W}eastAsia", east)
        for attr in ("ascii", "hAnsi"):
            if rf.get(f"{W}{attr}") is None:
                rf.set(f"{W}{attr}", fonts.LATIN)


def deterministic_zip(data: bytes, replace: dict[bytes, bytes] | None = None) -> bytes:
    """Re-zip an Office file: fixed entry order ([Content_Types].xml first) and dates; an entry
    whose bytes are a key of ``replace`` gets its value instead (a chart for its placeholder);
    word/fontTable.xml declares the report's fonts and their fallbacks (ooxml.fix_font_table)."""
    replace = replace or {}
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    first = [n for n in ("[Content_Types].xml", "_rels/.rels") if n in names]
    order = first + sorted(n for n in names if n not in first)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            content = src.read(name)
            if name == "word/fontTable.xml":
                content = fix_font_table(content)
            out.writestr(info, replace.get(content, content), compresslevel=6)
    return buf.getvalue()


_TEXT_STYLES = {None, "Normal", "Heading1", "Heading2", "Heading3", "Heading4", "Subtitle"}


def _break_title(p: etree._Element) -> None:
    """A title of one run written as ``{{ title }}`` (a user's template) broken like
    ``{{ title|title_break }}``: a w:br at a phrase boundary (zh.title_lines)."""
    runs = p.findall(f"{W}r")
    if len(runs) != 1 or runs[0].find(f"{W}br") is not None:
        return
    texts = runs[0].findall(f"{W}t")
    if len(texts) != 1 or not texts[0].text:
        return
    lines = zh.title_lines(texts[0].text)
    if len(lines) < 2:
        return
    t = texts[0]
    t.text = lines[0]
    at = list(runs[0]).index(t)
    for i, line in enumerate(lines[1:]):
        br = etree.Element(f"{W}br")
        nt = etree.Element(f"{W}t")
        nt.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        nt.text = line
        runs[0].insert(at + 1 + 2 * i, br)
        runs[0].insert(at + 2 + 2 * i, nt)


def tidy_body_text(body: etree._Element, refs: tuple[str, ...] = ("上季度", "上届")) -> None:
    """The wording post-pass of the rendered body (documented in docs/模板说明.md): a space
    between two Chinese characters or punctuation marks is removed (zh.tidy_body: the trace of a
    Jinja tag inside a Chinese sentence), and a paragraph saying "与上季度持平" more than once says
    it once (zh.merge_level); a long title written without ``|title_break`` is broken at a phrase
    boundary. Tables, figures and captions are left alone."""
    for p in body.iter(f"{W}p"):
        ps = p.find(f"{W}pPr/{W}pStyle")
        style = ps.get(f"{W}val") if ps is not None else None
        if style in ("Title", "RGAttachTitle"):
            _break_title(p)
            continue
        if style not in _TEXT_STYLES:
            continue
        texts = p.findall(f".//{W}t")
        for t in texts:
            if t.text and " " in t.text or (t.text and "\u00a0" in t.text):
                t.text = zh.tidy_body(t.text)
        if len(texts) == 1 and texts[0].text and "持平" in texts[0].text:
            for ref in refs:
                texts[0].text = zh.merge_level(texts[0].text, ref)


def fix_core_properties(document: Any, title: str = "", subject: str = "", category: str = "") -> None:
    cp = document.core_properties
    cp.author = AUTHOR
    cp.last_modified_by = AUTHOR
    cp.created = FIXED_TIME
    cp.modified = FIXED_TIME
    cp.last_printed = FIXED_TIME
    cp.revision = 1
    cp.title = title
    cp.subject = subject
    cp.comments = ""
    cp.keywords = ""
    cp.category = category  # OUTPUT_CATEGORY on a report: the reader skips it


def open_template(template: Path) -> tuple[DocxTemplate, str]:
    """Load a template (size-checked) and return it with its patched Jinja source."""
    _check_size(template)
    try:
        tpl = _Template(str(template))
        tpl.init_docx()
        src = _patched_source(tpl)
    except TemplateProblem:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to open is the user's file
        raise TemplateProblem(f"无法打开报告模板“{template.name}”（{type(exc).__name__}），"
                              "请在 Word 中打开确认后另存为 .docx") from None
    return tpl, src


def charts_used(src: str) -> list[str]:
    """The chart keys a template refers to, in the order it first places them (so that a helper
    drawing them one by one has each ready about when the report reaches it); all of them when
    it uses ``charts`` as a whole."""
    import re

    found = [a or b for a, b in re.findall(r"charts\s*(?:\.\s*(\w+)|\[\s*['\"](\w+)['\"])", src)]
    if re.search(r"\bcharts\b(?!\s*[.\[])", src):
        return list(CHART_TITLES)
    return [k for k in dict.fromkeys(found) if k in CHART_TITLES]


def render_docx(tpl: DocxTemplate, src: str, ctx: dict, charts: ChartSet,
                state: RenderState) -> bytes:
    """Render an opened template with the plain report context; return the .docx bytes as
    python-docx saves them, with placeholders for the charts (see :func:`finish_docx`)."""
    state.template = tpl
    env = make_environment()
    context = wrap(ctx, state, charts)
    counter = HeadingCounter()
    context["sec"] = counter.sec
    context["sub"] = counter.sub

    check_template(src, env, context)
    check_blocks_on_own_paragraph(src, context)
    token = _known_names.set(tuple(sorted(known_names(context))))
    rep = context["report"]
    try:
        with zh.wording(rep.get("pct_digits"), rep.get("small_base")):
            tpl.render(context, jinja_env=env, autoescape=True)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(syntax_message(exc, src.splitlines())) from None
    except UndefinedError as exc:
        raise TemplateProblem(str(exc.message)) from None
    except SecurityError as exc:
        raise TemplateProblem(f"报告模板中使用了不允许的写法（出于安全考虑已拒绝）：{exc}") from None
    except TemplateError as exc:
        raise TemplateProblem(f"报告模板无法生成：{exc}。请检查模板中的 {{{{ }}}} 和 {{% %}} 写法。") from None
    finally:
        _known_names.reset(token)

    document = tpl.docx
    tidy_body_text(document.element.body)
    ensure_styles(document.styles.element)
    ensure_run_fonts(document.element.body)
    fix_core_properties(document, title=str(ctx.get("title", "")),
                        subject=f"{ctx.get('district', '')}{ctx.get('period', {}).get('zh', '')}",
                        category=OUTPUT_CATEGORY)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def finish_docx(data: bytes, charts: ChartSet, state: RenderState) -> bytes:
    """The final .docx: the charts' PNGs in place of their placeholders (waiting for any still
    being drawn), re-zipped deterministically."""
    return deterministic_zip(data, {blob: charts.png(key) for blob, key in state.placeholders.items()})


def render_report(indicators: Any, out_dir: str | Path, kind: str = "季度统计分析",
                  template: str | Path | None = None, narrative: dict | None = None,
                  title: str | None = None, district: str | None = None,
                  chart_process: ChartProcess | None = None) -> RenderResult:
    """Write ``out_dir/report.docx``, ``out_dir/tables.xlsx`` and ``out_dir/charts/*.png``.

    ``indicators`` is an Indicators object (or its ``context()`` dict); ``template`` a report kind
    (one of TEMPLATE_KINDS) or the path of a user's .docx; ``narrative`` the parsed
    narrative.yaml; ``title`` and ``district`` override what the data say; ``chart_process``
    draws the charts while the report is rendered (they are drawn here without it).
    """
    from .xlsx import write_tables_xlsx

    kind, path = _resolve(kind, template)
    out = Path(out_dir)
    tpl, src = open_template(path)
    if template is not None and not (isinstance(template, str) and template in KINDS) \
            and kind == KINDS[0]:
        kind = _kind_of(tpl, path) or kind
    ctx = report_context(indicators, kind=kind, narrative=narrative, title=title, district=district)
    chart_dir = out / "charts"
    keys = charts_used(src)
    charts = chart_process.draw(ctx, chart_dir, keys) if chart_process else draw_here(ctx, chart_dir, keys)
    from ..config import DEFAULT

    state = RenderState(config=getattr(indicators, "config", None) or DEFAULT)
    data = render_docx(tpl, src, ctx, charts, state)
    # tables.xlsx first: the helper process is meanwhile finishing the charts the report needs
    tables_path = write_tables_xlsx(ctx, out / "tables.xlsx", rendered=state.tables)
    report = out / "report.docx"
    with atomic_write(report) as tmp:
        tmp.write_bytes(finish_docx(data, charts, state))
    made = charts.made()
    for key in CHART_TITLES:  # a chart not drawn this time must not linger from an earlier run
        stale = chart_dir / f"{key}.png"
        if key not in {c.key for c in made} and stale.exists():
            stale.unlink()
    return RenderResult(report=report, tables_xlsx=tables_path, charts=made, tables=state.tables,
                        figures=state.figures, kind=kind, template=path)
