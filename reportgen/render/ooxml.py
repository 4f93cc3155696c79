"""WordprocessingML snippets: escaped text, runs, paragraphs and the report's styles.

Everything the renderer inserts into a document (tables, figures, numbered findings, narrative
paragraphs) is built here as XML text in one go, with explicit East Asian and Latin fonts on every
run, so that it looks right whatever template it lands in. The same style definitions build the
default templates (templates/build_templates.py) and are added to a user's template when missing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

from ..outputs import clean_text, mask_ids_in_text
from . import fonts

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
THEME_ATTRIBUTES = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")


def text(value: object) -> str:
    """Data text made safe for a document: ID numbers masked, XML-invalid characters removed."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return clean_text(mask_ids_in_text(str(value)))


def esc(value: object) -> str:
    """:func:`text`, escaped for an XML text node or attribute."""
    return escape(text(value), {'"': "&quot;"})


def rfonts(east: str = fonts.FANGSONG, latin: str = fonts.LATIN) -> str:
    return (f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east}" '
            f'w:cs="{latin}"/>')


def rpr(east: str = fonts.FANGSONG, size: int | None = None, bold: bool = False,
        highlight: str | None = None, color: str | None = None) -> str:
    parts = [rfonts(east)]
    if bold:
        parts.append("<w:b/><w:bCs/>")
    if color:
        parts.append(f'<w:color w:val="{color}"/>')
    if size:
        parts.append(f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>')
    if highlight:
        parts.append(f'<w:highlight w:val="{highlight}"/>')
    return f"<w:rPr>{''.join(parts)}</w:rPr>"


def run(value: object, east: str = fonts.FANGSONG, size: int | None = None, bold: bool = False,
        highlight: str | None = None, escaped: bool = False) -> str:
    """One run of text; ``escaped=True`` when ``value`` is already escaped XML text."""
    body = value if escaped else esc(value)
    return f'<w:r>{rpr(east, size, bold, highlight)}<w:t xml:space="preserve">{body}</w:t></w:r>'


def paragraph(runs: str, style: str | None = None, align: str | None = None,
              first_line_chars: int | None = None, keep_next: bool = False,
              line: int | None = None, line_rule: str = "exact", before: int | None = None,
              after: int | None = None, snap: bool = True) -> str:
    """A paragraph around already-built runs, with the given direct formatting (``snap=False``:
    not aligned to the document grid, for tables, figures and captions)."""
    ppr = []
    if style:
        ppr.append(f'<w:pStyle w:val="{style}"/>')
    if keep_next:
        ppr.append("<w:keepNext/>")
    if not snap:
        ppr.append('<w:snapToGrid w:val="0"/>')
    if line is not None or before is not None or after is not None:
        attrs = []
        if before is not None:
            attrs.append(f'w:before="{before}"')
        if after is not None:
            attrs.append(f'w:after="{after}"')
        if line is not None:
            attrs.append(f'w:line="{line}" w:lineRule="{line_rule}"')
        ppr.append(f"<w:spacing {' '.join(attrs)}/>")
    if first_line_chars is not None:
        ppr.append(f'<w:ind w:firstLineChars="{first_line_chars}" '
                   f'w:firstLine="{first_line_chars * 16 * 20 // 100}"/>')
    if align:
        ppr.append(f'<w:jc w:val="{align}"/>')
    return f"<w:p><w:pPr>{''.join(ppr)}</w:pPr>{runs}</w:p>"


def body_paragraph(value: object, highlight: str | None = None) -> str:
    """A body paragraph (三号仿宋, first line indented two characters)."""
    return paragraph(run(value, fonts.FANGSONG, fonts.SIZE_3, highlight=highlight), style="Normal",
                     first_line_chars=200, line=fonts.BODY_LINE, align="both")


def numbered_paragraph(mark: str, head: str, rest: str) -> str:
    """"（一）head。rest": the mark and head in 楷体 (level-2 style), the rest in 仿宋."""
    runs = run(f"{mark}{head}", fonts.KAI, fonts.SIZE_3)
    if rest:
        runs += run(rest, fonts.FANGSONG, fonts.SIZE_3)
    return paragraph(runs, style="Normal", first_line_chars=200, line=fonts.BODY_LINE, align="both")


def placeholder_paragraph(message: str) -> str:
    """A highlighted 【待补充：…】 paragraph for text the data cannot supply."""
    return body_paragraph(f"【待补充：{message}】", highlight="yellow")


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class Style:
    style_id: str
    name: str
    east: str
    size: int
    align: str | None = None
    first_line_chars: int | None = 200
    line: int | None = fonts.BODY_LINE
    line_rule: str = "exact"
    keep_next: bool = False
    outline: int | None = None
    bold: bool = False
    kind: str = "paragraph"
    based_on: str | None = "Normal"
    latin: str = fonts.LATIN
    before: int = 0
    after: int = 0
    snap: bool = True
    left_chars: int | None = None  # hundredths of a character
    hanging_chars: int | None = None
    right_chars: int | None = None
    page_break: bool = False
    condense: int | None = None  # w:spacing of the runs, in twentieths of a point

    def xml(self) -> str:
        ppr = []
        if self.page_break:
            ppr.append("<w:pageBreakBefore/>")
        if self.keep_next:
            ppr.append("<w:keepNext/><w:keepLines/>")
        if not self.snap:
            ppr.append('<w:snapToGrid w:val="0"/>')
        if self.line is not None:
            ppr.append(f'<w:spacing w:before="{self.before}" w:after="{self.after}" '
                       f'w:line="{self.line}" w:lineRule="{self.line_rule}"/>')
        ind = []
        for name, v in (("left", self.left_chars), ("right", self.right_chars),
                        ("firstLine", self.first_line_chars), ("hanging", self.hanging_chars)):
            if v is not None:
                ind.append(f'w:{name}Chars="{v}" w:{name}="{v * self.size * 10 // 100}"')
        if ind:
            ppr.append(f"<w:ind {' '.join(ind)}/>")
        if self.align:
            ppr.append(f'<w:jc w:val="{self.align}"/>')
        if self.outline is not None:
            ppr.append(f'<w:outlineLvl w:val="{self.outline}"/>')
        rp = [rfonts(self.east, self.latin)]
        rp.append("<w:b/><w:bCs/>" if self.bold else '<w:b w:val="0"/><w:bCs w:val="0"/>')
        rp.append('<w:color w:val="000000"/>')
        if self.condense is not None:
            rp.append(f'<w:spacing w:val="{self.condense}"/>')
        rp.append(f'<w:kern w:val="2"/><w:sz w:val="{self.size}"/><w:szCs w:val="{self.size}"/>')
        based = f'<w:basedOn w:val="{self.based_on}"/>' if self.based_on else ""
        default = ' w:default="1"' if self.style_id == "Normal" else ""
        return (f'<w:style w:type="{self.kind}"{default} w:styleId="{self.style_id}">'
                f'<w:name w:val="{self.name}"/>{based}<w:qFormat/>'
                f"<w:pPr>{''.join(ppr)}</w:pPr><w:rPr>{''.join(rp)}</w:rPr></w:style>")


BLANK_LINE = fonts.BODY_LINE  # "空一行": one body line before the block

STYLES: tuple[Style, ...] = (
    Style("Normal", "Normal", fonts.FANGSONG, fonts.SIZE_3, align="both", based_on=None,
          condense=fonts.BODY_CONDENSE),
    Style("Title", "Title", fonts.TITLE_FONT, fonts.SIZE_2, align="center", first_line_chars=0,
          line=700, keep_next=True, after=0, snap=False),
    Style("Subtitle", "Subtitle", fonts.KAI, fonts.SIZE_3, align="center", first_line_chars=0,
          keep_next=True, after=289),
    Style("Heading1", "heading 1", fonts.HEI, fonts.SIZE_3, keep_next=True, outline=0),
    Style("Heading2", "heading 2", fonts.KAI, fonts.SIZE_3, keep_next=True, outline=1),
    # 三级 "1." 仿宋 加粗 and 四级 "（1）" 仿宋 (GB/T 9704 §7.3.3 leaves their fonts to practice)
    Style("Heading3", "heading 3", fonts.FANGSONG, fonts.SIZE_3, keep_next=True, outline=2, bold=True),
    Style("Heading4", "heading 4", fonts.FANGSONG, fonts.SIZE_3, keep_next=True, outline=3),
    Style("RGAppendix", "附表标题", fonts.HEI, fonts.SIZE_3, align="center", first_line_chars=0,
          keep_next=True, outline=0, before=289),
    Style("RGTableCaption", "表题", fonts.HEI, fonts.SIZE_4, align="center", first_line_chars=0,
          keep_next=True, before=120, snap=False, condense=0),
    Style("RGFigureCaption", "图题", fonts.HEI, fonts.SIZE_4, align="center", first_line_chars=0,
          after=120, snap=False, condense=0),
    Style("RGFigure", "图", fonts.FANGSONG, fonts.SIZE_3, align="center", first_line_chars=0,
          line=240, line_rule="auto", keep_next=True, snap=False),
    Style("RGTableText", "表格文字", fonts.FANGSONG, fonts.SIZE_5, align="center", first_line_chars=0,
          line=fonts.TABLE_LINE, snap=False, condense=0),
    Style("RGSignature", "落款", fonts.FANGSONG, fonts.SIZE_3, align="right", first_line_chars=0,
          right_chars=400, before=BLANK_LINE),
    Style("RGDate", "成文日期", fonts.FANGSONG, fonts.SIZE_3, align="right", first_line_chars=0,
          right_chars=400),
    # 附件说明 (§7.3.6): "附件：1. 名称" two characters in, a long name wraps under its first
    # character; "2. 名称" of a second item aligned with "1."
    Style("RGAttachNote", "附件说明", fonts.FANGSONG, fonts.SIZE_3, first_line_chars=None,
          left_chars=650, hanging_chars=450, before=BLANK_LINE, keep_next=True),
    Style("RGAttachNoteMore", "附件说明续", fonts.FANGSONG, fonts.SIZE_3, first_line_chars=None,
          left_chars=650, hanging_chars=150),
    # each 附件 on a new page: "附件1" in 黑体 三号 at the top left, then its title (小标宋 二号)
    Style("RGAttachMark", "附件标识", fonts.HEI, fonts.SIZE_3, first_line_chars=0, page_break=True,
          keep_next=True),
    Style("RGAttachTitle", "附件标题", fonts.TITLE_FONT, fonts.SIZE_2, align="center", first_line_chars=0,
          line=700, keep_next=True, before=BLANK_LINE, after=BLANK_LINE, snap=False),
    Style("Footer", "footer", fonts.SONG, fonts.SIZE_4, first_line_chars=0, line=240,
          line_rule="auto", snap=False, latin=fonts.SONG, condense=0),
)
STYLE_FONTS = {s.style_id: s.east for s in STYLES}


def doc_defaults_xml() -> str:
    return ('<w:docDefaults><w:rPrDefault><w:rPr>'
            f'{rfonts(fonts.FANGSONG)}<w:kern w:val="2"/>'
            f'<w:sz w:val="{fonts.SIZE_3}"/><w:szCs w:val="{fonts.SIZE_3}"/>'
            '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
            '</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>'
            f'<w:spacing w:line="{fonts.BODY_LINE}" w:lineRule="exact"/>'
            '</w:pPr></w:pPrDefault></w:docDefaults>')


def styles_xml() -> str:
    """A complete styles.xml: explicit fonts everywhere, no theme fonts, zh-CN East Asian language."""
    base = ('<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
            '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
            '<w:unhideWhenUsed/></w:style>'
            '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
            '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" '
            'w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
            '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>'
            '</w:style>'
            '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
            '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles xmlns:w="{W_NS}">'
            f"{doc_defaults_xml()}{base}{''.join(s.xml() for s in STYLES)}</w:styles>")


def ensure_styles(styles_element: etree._Element) -> None:
    """Add the renderer's styles a user's template lacks; remove theme-font attributes."""
    present = {el.get(f"{W}styleId") for el in styles_element.iter(f"{W}style")}
    for style in STYLES:
        if style.style_id not in present:
            styles_element.append(etree.fromstring(
                f'<w:styles xmlns:w="{W_NS}">{style.xml()}</w:styles>')[0])
    strip_theme_fonts(styles_element)


def strip_theme_fonts(element: etree._Element) -> None:
    """Remove w:asciiTheme & co. from every w:rFonts so that explicit fonts apply; an rFonts left
    without an explicit font gets Times New Roman (Latin) and 仿宋_GB2312 (East Asian)."""
    for rf in element.iter(f"{W}rFonts"):
        had_theme = False
        for attr in THEME_ATTRIBUTES:
            had_theme |= rf.attrib.pop(f"{W}{attr}", None) is not None
        if had_theme:
            for attr, font in (("ascii", fonts.LATIN), ("hAnsi", fonts.LATIN),
                               ("eastAsia", fonts.FANGSONG), ("cs", fonts.LATIN)):
                if rf.get(f"{W}{attr}") is None:
                    rf.set(f"{W}{attr}", font)


# --------------------------------------------------------------------------- font table


def _font_entry(name: str, alt: str | None, panose: str, charset: str = "86",
                family: str = "modern", pitch: str = "fixed") -> str:
    alt_xml = f'<w:altName w:val="{alt}"/>' if alt else ""
    return (f'<w:font w:name="{name}">{alt_xml}<w:panose1 w:val="{panose}"/>'
            f'<w:charset w:val="{charset}"/><w:family w:val="{family}"/><w:pitch w:val="{pitch}"/>'
            "</w:font>")


def font_table_entries() -> list[str]:
    """The w:font entries of the report's fonts: each East Asian font with the GB2312 charset,
    its PANOSE and, for fonts a stock Windows lacks, the w:altName Word and WPS fall back to."""
    out = [_font_entry(name, alt, panose) for name, (alt, panose) in fonts.FALLBACKS.items()]
    out.append(_font_entry(fonts.LATIN, None, "02020603050405020304", charset="00", family="roman",
                           pitch="variable"))
    return out


def fix_font_table(xml: bytes) -> bytes:
    """word/fontTable.xml with the report's fonts declared (font_table_entries), replacing any
    entry of the same name; the other entries are kept."""
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return xml
    ours = [etree.fromstring(f'<w:fonts xmlns:w="{W_NS}">{e}</w:fonts>')[0]
            for e in font_table_entries()]
    names = {el.get(f"{W}name") for el in ours}
    for el in list(root.findall(f"{W}font")):
        if el.get(f"{W}name") in names:
            root.remove(el)
    for i, el in enumerate(ours):
        root.insert(i, el)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def grid_xml() -> str:
    """The w:docGrid of the report: 22 lines of fonts.LINE_PITCH (fonts.GRID_TYPE, see fonts.py for
    why the 28 characters come from condensed body text rather than a character grid)."""
    extra = f' w:charSpace="{fonts.CHAR_SPACE}"' if fonts.GRID_TYPE != "lines" else ""
    return f'<w:docGrid w:type="{fonts.GRID_TYPE}" w:linePitch="{fonts.LINE_PITCH}"{extra}/>'


def set_grid(sect_pr: etree._Element) -> None:
    """Give a w:sectPr the report's grid (replacing any grid it has)."""
    grid = sect_pr.find(f"{W}docGrid")
    if grid is None:
        grid = etree.SubElement(sect_pr, f"{W}docGrid")
    for attr in list(grid.attrib):
        del grid.attrib[attr]
    grid.set(f"{W}type", fonts.GRID_TYPE)
    grid.set(f"{W}linePitch", str(fonts.LINE_PITCH))
    if fonts.GRID_TYPE != "lines":
        grid.set(f"{W}charSpace", str(fonts.CHAR_SPACE))
