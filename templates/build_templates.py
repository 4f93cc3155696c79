"""Build the default report templates into reportgen/templates/ (run: `make templates`).

Each template is a .docx with Jinja tags (docxtpl) that users can open and edit in Word or WPS.
python-docx sets up the GB/T 9704-2012 page (A4; margins 37/35/28/26 mm), the styles (explicit East
Asian fonts, no theme fonts, zh-CN) and the footers ("— N —", odd pages right, even pages left);
then every paragraph is written with its tags. The output is byte-for-byte reproducible, and
tests/test_render_templates.py fails when the shipped templates are stale.

Writing rules for the wording: a sentence that states a figure appears only when the figure exists
(`{% if x is not none %}`), changes are phrased by the zh filters for their sign ("比上届多6名",
"比上季度减少3人"), and a section with nothing to say is left out. The wording rules of issue 18
live in reportgen/zh.py and docs/模板说明.md §九: percentages with one decimal (`|pct`), changes
on the printed figures (the renderer passes displayed deltas), counts instead of percentages below
report.small_base, no tool or file names before 数据说明; the title goes through `|title_break`.
Layout: the 28 × 22 grid, 三级/四级 headings, 落款/成文日期 and 附件 blocks (Builder.signature,
attachment_note, attachments), styles from reportgen/render/ooxml.py.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.oxml import parse_xml
from docx.shared import Mm, Twips

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportgen.render import fonts  # noqa: E402
from reportgen.render.docx import deterministic_zip, fix_core_properties  # noqa: E402
from reportgen.render.ooxml import STYLE_FONTS, W_NS, rfonts, set_grid, styles_xml  # noqa: E402

OUT = ROOT / "reportgen" / "templates"


class Builder:
    """A GB/T 9704 document into which paragraphs with Jinja tags are written."""

    def __init__(self) -> None:
        self.doc = Document()
        body = self.doc.element.body
        for child in list(body):
            if not child.tag.endswith("sectPr"):
                body.remove(child)
        self._styles()
        self._page()
        self._footers()

    def _styles(self) -> None:
        part = self.doc.part._styles_part
        part._element = parse_xml(styles_xml().encode("utf-8"))
        settings = self.doc.settings.element
        for el in settings.iter(f"{{{W_NS}}}themeFontLang"):
            el.set(f"{{{W_NS}}}eastAsia", "zh-CN")
        self.doc.settings.odd_and_even_pages_header_footer = True

    def _page(self) -> None:
        s = self.doc.sections[0]
        s.start_type = WD_SECTION.NEW_PAGE
        s.page_width, s.page_height = Twips(fonts.PAGE_WIDTH), Twips(fonts.PAGE_HEIGHT)
        s.top_margin, s.bottom_margin = Twips(fonts.MARGIN_TOP), Twips(fonts.MARGIN_BOTTOM)
        s.left_margin, s.right_margin = Twips(fonts.MARGIN_LEFT), Twips(fonts.MARGIN_RIGHT)
        s.header_distance = Mm(15)
        s.footer_distance = Mm(23)  # the page number sits about 7 mm below the text block
        set_grid(s._sectPr)  # 28 characters × 22 lines (GB/T 9704 §5.2.2)

    def _footer_paragraph(self, align: str, indent: str) -> str:
        rpr = (f"<w:rPr>{rfonts(fonts.SONG, fonts.SONG)}<w:sz w:val=\"{fonts.SIZE_4}\"/>"
               f"<w:szCs w:val=\"{fonts.SIZE_4}\"/></w:rPr>")
        runs = (f'<w:r>{rpr}<w:t xml:space="preserve">— </w:t></w:r>'
                f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'
                f'<w:r>{rpr}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
                f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>'
                f'<w:r>{rpr}<w:t>1</w:t></w:r>'
                f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>'
                f'<w:r>{rpr}<w:t xml:space="preserve"> —</w:t></w:r>')
        return (f'<w:p xmlns:w="{W_NS}"><w:pPr><w:pStyle w:val="Footer"/>'
                f'<w:ind {indent} w:firstLine="0" w:firstLineChars="0"/><w:jc w:val="{align}"/>'
                f"</w:pPr>{runs}</w:p>")

    def _footers(self) -> None:
        s = self.doc.sections[0]
        for footer, align, indent in ((s.footer, "right", 'w:right="280"'),
                                      (s.even_page_footer, "left", 'w:left="280"')):
            footer.is_linked_to_previous = False
            el = footer._element
            for child in list(el):
                el.remove(child)
            el.append(parse_xml(self._footer_paragraph(align, indent)))

    # ------------------------------------------------------------------ paragraphs

    def _add(self, text: str, style: str, east: str | None = None, page_break: bool = False,
             runs: list[tuple[str, str]] | None = None) -> None:
        p = self.doc.add_paragraph(style=style)
        if page_break:
            p.paragraph_format.page_break_before = True
        default = east or STYLE_FONTS.get(p.style.style_id, fonts.FANGSONG)
        for chunk, font in runs or [(text, default)]:
            r = p.add_run(chunk)
            r._r.get_or_add_rPr().insert(0, parse_xml(
                f'<w:rFonts xmlns:w="{W_NS}" w:ascii="{fonts.LATIN}" w:hAnsi="{fonts.LATIN}" '
                f'w:eastAsia="{font}" w:cs="{fonts.LATIN}"/>'))

    def title(self, text: str) -> None:
        """The title; ``{{ title|title_break }}`` breaks a long one at a phrase boundary."""
        self._add(text, "Title")

    def subtitle(self, text: str) -> None:
        self._add(text, "Subtitle")

    def h1(self, text: str) -> None:
        self._add(text, "heading 1")

    def h2(self, text: str) -> None:
        self._add(text, "heading 2")

    def h3(self, text: str) -> None:
        """三级标题 "1." (仿宋 加粗)."""
        self._add(text, "heading 3")

    def h4(self, text: str) -> None:
        """四级标题 "（1）" (仿宋)."""
        self._add(text, "heading 4")

    def signature(self) -> None:
        """The optional 落款 and 成文日期 (config report.signature_unit, report.date), right-aligned
        under the body, four characters in from the right."""
        self.tag("{%p if report.signature_unit %}")
        self._add("{{ report.signature_unit }}", "落款")
        self.tag("{%p endif %}")
        self.tag("{%p if report.date %}")
        self._add("{{ report.date }}", "成文日期")
        self.tag("{%p endif %}")

    def attachment_note(self, names: str) -> None:
        """The 附件说明 under the body: "附件：1. …" then "2. …" aligned under "1." (a hanging
        indent: a long name wraps under its own first character). ``names`` is a Jinja list."""
        self.tag(f"{{%p for a in {names} %}}")
        self.tag("{%p if loop.first %}")
        self._add("附件：{{ loop.index }}. {{ a.title }}", "附件说明")
        self.tag("{%p else %}")
        self._add("{{ loop.index }}. {{ a.title }}", "附件说明续")
        self.tag("{%p endif %}")
        self.tag("{%p endfor %}")

    def attachments(self, names: str) -> None:
        """Each 附件 on a new page: "附件N" (黑体 三号, top left), its title, then its block."""
        self.tag(f"{{%p for a in {names} %}}")
        self._add("附件{{ loop.index }}", "附件标识")
        self._add("{{ a.title }}", "附件标题")
        self.tag("{{p a.block }}")
        self.tag("{%p endfor %}")

    def appendix(self, text: str, page_break: bool = False) -> None:
        self._add(text, "附表标题", page_break=page_break)

    def p(self, text: str) -> None:
        self._add(text, "Normal")

    def lead(self, head: str, rest: str) -> None:
        """A paragraph whose first words are in 楷体 (a run-in level-2 heading)."""
        self._add("", "Normal", runs=[(head, fonts.KAI), (rest, fonts.FANGSONG)])

    def tag(self, text: str) -> None:
        """A paragraph holding only a {%p …%} or {{p …}} tag (replaced when rendering)."""
        self._add(text, "Normal")

    def save(self, path: Path, title: str) -> None:
        fix_core_properties(self.doc, title=title, subject="reportgen 报告模板")
        buf = io.BytesIO()
        self.doc.save(buf)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(deterministic_zip(buf.getvalue()))


# --------------------------------------------------------------------------- shared wording

def overview(b: Builder) -> None:
    b.p("{% if orgs.total is not none %}截至{{ as_of_zh }}，{{ district }}共有基层党组织{{ orgs.total|wan }}个"
        "{% if orgs.total_delta is not none %}，{{ orgs.total_delta|change(ref, '个') }}{% endif %}"
        "{% if orgs.type_phrase %}，其中{{ orgs.type_phrase }}{% endif %}{% if members.total %}；共有党员"
        "{{ members.total|wan }}名{% if members.total_delta is not none %}，"
        "{{ members.total_delta|change(ref, '名') }}{% endif %}"
        "{% if members.full is not none and members.probationary is not none %}，其中正式党员"
        "{{ members.full|wan }}名、预备党员{{ members.probationary|wan }}名{% endif %}"
        "{% else %}；本期没有报送党员名册{% endif %}。{% endif %}")


def election_schedule(b: Builder) -> None:
    b.p("{% if elections.due is not none %}截至{{ as_of_zh }}，任期届满、应当换届的党组织有{{ elections.due }}个"
        "{% if elections.on_time_share is not none %}，按期换届率为{{ elections.on_time_share|pct }}"
        "{% if elections.on_time_share_delta is not none %}，{{ elections.on_time_share_delta|pp_change(ref) }}"
        "{% endif %}{% endif %}。{% endif %}"
        "{% if elections.overdue_count %}目前仍有{{ elections.overdue_count }}个党组织到期未换届"
        "{% if elections.overdue_serious_count %}，其中{{ elections.overdue_serious_count }}个逾期超过"
        "{{ thresholds.overdue_serious_months }}个月{% endif %}。{% endif %}"
        "{% if elections.due_soon_count %}另有{{ elections.due_soon_count }}个党组织的任期将在"
        "{{ thresholds.due_soon_months }}个月内届满，需提前做好换届准备。{% endif %}")


def election_result(b: Builder, el: str = "elections", com: str = "committee", opening: str = "",
                    scope: str = "") -> None:
    """The election paragraph in the manner of seed 000: turnout, re-elected share, re-elected
    secretaries, newly entering, then mean age, college share and women, each with its change.
    A committee of fewer than report.small_base members (or fewer organizations) is described by
    counts, never by percentages of three people."""
    small = f"{com}.size < report.small_base"
    few = f"{el}.held < report.small_base"
    b.p(f"{{% if {el}.held %}}{opening}本期{scope}共有{{{{ {el}.held }}}}个党组织完成换届选举"
        f"{{% if {el}.turnout is not none and not ({few} and {small}) %}}，参加选举大会的党员到会率为"
        f"{{{{ {el}.turnout|pct }}}}{{% endif %}}。"
        f"{{% if {com}.size %}}选举产生新一届班子成员{{{{ {com}.size }}}}名"
        f"{{% if {com}.size_delta is not none %}}，{{{{ {com}.size_delta|count_change('上届', '名') }}}}{{% endif %}}"
        f"{{% if {small} %}}{{% if {com}.reelected is not none %}}，其中连选连任的{{{{ {com}.reelected }}}}名"
        f"{{% if {com}.new is not none %}}、新进班子的{{{{ {com}.new }}}}名{{% endif %}}{{% endif %}}"
        f"{{% else %}}"
        f"{{% if {com}.reelected_share is not none %}}，其中连选连任的{{{{ {com}.reelected }}}}名，"
        f"占{{{{ {com}.reelected_share|pct }}}}{{% endif %}}"
        f"{{% if {com}.secretary_reelected_share is not none %}}{{% if {few} %}}；{{{{ {el}.held }}}}名新任书记中"
        f"连任的{{{{ ({com}.secretary_reelected_share * {el}.held)|round|int }}}}名{{% else %}}；书记连任的占新一届"
        f"书记总数的{{{{ {com}.secretary_reelected_share|pct }}}}{{% endif %}}{{% endif %}}"
        f"{{% if {com}.new_share is not none %}}；新进班子的{{{{ {com}.new }}}}名，占{{{{ {com}.new_share|pct }}}}"
        f"{{% endif %}}{{% endif %}}。{{% endif %}}{{% else %}}本期{scope}没有党组织进行换届选举。{{% endif %}}")
    b.p(f"{{% if {el}.held and {com}.size %}}"
        f"{{% if {com}.age_mean is not none %}}新一届班子成员平均年龄{{{{ {com}.age_mean|num }}}}岁"
        f"{{% if {com}.age_mean_delta is not none and not ({small}) %}}，"
        f"{{{{ {com}.age_mean_delta|age_change('上届') }}}}{{% endif %}}。{{% endif %}}"
        f"{{% if {small} %}}{{% if {com}.college_share is not none %}}大专及以上学历的"
        f"{{{{ ({com}.college_share * {com}.size)|round|int }}}}名{{% if {com}.female is not none %}}，"
        f"{{% else %}}。{{% endif %}}{{% endif %}}{{% if {com}.female is not none %}}女性成员"
        f"{{{{ {com}.female }}}}名{{% if {com}.female_delta is not none %}}，"
        f"{{{{ {com}.female_delta|count_change('上届', '名') }}}}{{% endif %}}。{{% endif %}}"
        f"{{% else %}}"
        f"{{% if {com}.college_share is not none %}}大专及以上学历的占{{{{ {com}.college_share|pct }}}}"
        f"{{% if {com}.college_share_delta is not none %}}，{{{{ {com}.college_share_delta|pp_change('上届') }}}}"
        f"{{% endif %}}。{{% endif %}}{{% if {com}.female is not none %}}女性成员{{{{ {com}.female }}}}名"
        f"{{% if {com}.female_share is not none %}}，占{{{{ {com}.female_share|pct }}}}{{% endif %}}"
        f"{{% if {com}.female_delta is not none %}}，{{{{ {com}.female_delta|count_change('上届', '名') }}}}"
        f"{{% endif %}}。{{% endif %}}{{% endif %}}{{% endif %}}")


def coverage_paragraphs(b: Builder) -> None:
    b.p("{{ district }}共有“两新”组织{{ coverage.units }}家{% if coverage.units_delta is not none %}，"
        "{{ coverage.units_delta|change(ref, '家') }}{% endif %}{% if coverage.org_share is not none %}，"
        "其中已建立党组织的占{{ coverage.org_share|pct }}{% if coverage.org_share_delta is not none %}（"
        "{{ coverage.org_share_delta|pp_change(ref) }}）{% endif %}{% endif %}"
        "{% if coverage.work_share is not none %}，党的工作覆盖率为{{ coverage.work_share|pct }}"
        "{% if coverage.work_share_delta is not none %}（{{ coverage.work_share_delta|pp_change(ref) }}）"
        "{% endif %}{% endif %}。{% if coverage.org_share_100plus is not none %}从业人员"
        "{{ thresholds.large_unit_employees }}人以上的单位中，已建立党组织的占"
        "{{ coverage.org_share_100plus|pct }}{% if coverage.org_share_100plus_delta is not none %}，"
        "{{ coverage.org_share_100plus_delta|pp_change(ref) }}{% endif %}{% if coverage.uncovered_100plus %}，"
        "仍有{{ coverage.uncovered_100plus }}家未建立党组织{% endif %}。{% endif %}"
        "{% if coverage.instructor_share is not none %}在尚未建立党组织的单位中，已选派党建指导员的占"
        "{{ coverage.instructor_share|pct }}。{% endif %}")


def mass_org_paragraph(b: Builder) -> None:
    b.p("{% if coverage.union_share is not none %}在已建立党组织的“两新”组织中，建立工会的占"
        "{{ coverage.union_share|pct }}{% if coverage.youth_league_share is not none %}，建立团组织的占"
        "{{ coverage.youth_league_share|pct }}{% endif %}{% if coverage.women_org_share is not none %}，"
        "建立妇女组织的占{{ coverage.women_org_share|pct }}{% endif %}。{% endif %}")


def findings_section(b: Builder, items: str, none_text: str) -> None:
    b.tag(f"{{%p if {items} %}}")
    b.tag(f"{{%p for f in {items} %}}")
    b.lead("（{{ loop.index|cn }}）{{ f.title|trim('。') }}。", "{{ f.sentence }}")
    b.tag("{%p endfor %}")
    b.tag("{%p else %}")
    b.p(none_text)
    b.tag("{%p endif %}")


def measures_section(b: Builder, measures: str) -> None:
    b.tag(f"{{%p if '下步工作' in narrative or not {measures} %}}")
    b.tag("{{p narrative.下步工作 }}")
    b.tag("{%p else %}")
    b.tag(f"{{%p for m in {measures} %}}")
    b.lead("（{{ loop.index|cn }}）", "{{ m }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endif %}")


def data_note(b: Builder) -> None:
    b.appendix("数据说明")
    b.p("本报告依据各单位报送的{{ period.zh }}统计数据生成{% if sources.file_count %}，共{{ sources.file_count }}"
        "个文件（{{ sources.files_text }}）{% endif %}。{% if sources.rows_read is not none %}共读取数据"
        "{{ sources.rows_read }}行，其中{{ sources.rows_used }}行纳入统计{% if sources.rows_left_out %}，"
        "{{ sources.rows_left_out }}行因无法确定归属或重复未纳入统计，明细见校验结果（validation.xlsx）{% endif %}"
        "{% if sources.errors %}；校验发现{{ sources.errors }}处错误，能确定归属的行照常纳入统计，填错的项按未填写处理"
        "{% endif %}"
        "{% if sources.warnings %}；另有{{ sources.warnings }}处警告，相关数据已纳入统计，建议核实"
        "{% endif %}。{% endif %}{% if sources.scope_note %}{{ sources.scope_note }}{% endif %}")
    b.p("统计截止日期为{{ as_of_zh }}。党员年龄按截止日期计算周岁，班子成员年龄按各届选举日期计算；“个百分点”"
        "指两个比例之差{% if has_previous %}，与{{ ref }}的比较以{{ ref }}报送的数据为准{% endif %}。"
        "{% if sources.previous_note %}{{ sources.previous_note }}{% endif %}各项指标的口径见"
        "《指标说明》；各表的数据另见统计表（tables.xlsx）。")


# --------------------------------------------------------------------------- the three kinds

def quarterly() -> Builder:
    b = Builder()
    b.title("{{ title|title_break }}")
    b.subtitle("（数据截至{{ as_of_zh }}）")
    b.p("为掌握{{ district }}基层党组织和党员队伍建设情况，根据各单位报送的{{ period.zh }}统计数据，对党组织设置、"
        "党员队伍结构、换届选举、“两新”组织党建工作和发展党员等情况进行了统计分析，现将有关情况报告如下。")

    # 总体情况 (issue 18): the top three findings and the area holding most overdue organizations
    b.tag("{%p if judgement.overall %}")
    b.p("总体上看，{{ judgement.overall|join('') }}")
    b.tag("{%p endif %}")

    b.h1("{{ sec() }}基本情况")
    b.tag("{%p if judgement.sections.orgs %}")
    b.p("{{ judgement.sections.orgs }}")
    b.tag("{%p endif %}")
    overview(b)
    b.p("{% if orgs.secretary_vacant or orgs.branches_under_3 or orgs.no_committee_7plus %}从组织设置看，"
        "{% if orgs.secretary_vacant %}书记空缺的党组织有{{ orgs.secretary_vacant }}个。{% endif %}"
        "{% if orgs.branches_under_3 %}正式党员不足{{ thresholds.branch_min_full }}名的党支部有"
        "{{ orgs.branches_under_3 }}个。{% endif %}{% if orgs.no_committee_7plus %}正式党员"
        "{{ thresholds.committee_min_full }}名以上但未设支部委员会的党支部有{{ orgs.no_committee_7plus }}个。"
        "{% endif %}{% endif %}各类别、各领域{% if orgs.by_area %}和各片区{% endif %}党组织的分布见附表。")

    b.tag("{%p if members.total %}")
    b.h1("{{ sec() }}党员队伍结构")
    b.tag("{%p if judgement.sections.members %}")
    b.p("{{ judgement.sections.members }}")
    b.tag("{%p endif %}")
    b.p("{% if members.female_share is not none %}从性别和民族看，女党员占党员总数的{{ members.female_share|pct }}{{ members.female_share_note }}"
        "{% if members.female_share_delta is not none %}，{{ members.female_share_delta|pp_change(ref) }}"
        "{% endif %}{% if members.minority_share is not none %}；少数民族党员占{{ members.minority_share|pct }}{{ members.minority_share_note }}"
        "{% if members.minority_share_delta is not none %}，{{ members.minority_share_delta|pp_change(ref) }}"
        "{% endif %}{% endif %}。{% endif %}")
    b.p("{% if members.age_mean is not none %}从年龄看，党员平均年龄{{ members.age_mean|num }}岁{{ members.age_mean_note }}"
        "{% if members.age_mean_delta is not none %}，{{ members.age_mean_delta|age_change(ref) }}{% endif %}"
        "{% if members.under35_share is not none %}；35岁及以下的占{{ members.under35_share|pct }}"
        "{% if members.under35_share_delta is not none %}，{{ members.under35_share_delta|pp_change(ref) }}"
        "{% endif %}{% endif %}{% if members.over60_share is not none %}；61岁及以上的占"
        "{{ members.over60_share|pct }}{% endif %}。{% endif %}")
    b.tag("{{p charts.age_bands }}")
    b.p("{% if members.college_share is not none %}从学历看，大专及以上学历的党员占{{ members.college_share|pct }}{{ members.college_share_note }}"
        "{% if members.college_share_delta is not none %}，{{ members.college_share_delta|pp_change(ref) }}"
        "{% endif %}。{% endif %}")
    b.tag("{{p charts.education }}")
    b.p("{% if members.retired_share is not none %}从工作岗位看，离退休人员占党员总数的"
        "{{ members.retired_share|pct }}{{ members.retired_share_note }}{% if members.retired_share_delta is not none %}，"
        "{{ members.retired_share_delta|pp_change(ref) }}{% endif %}{% if members.top_occupation %}；在职党员中"
        "人数最多的是{{ members.top_occupation }}，占党员总数的{{ members.top_occupation_share|pct }}{% endif %}"
        "{% if members.mobile_share is not none %}；流动党员占{{ members.mobile_share|pct }}{% endif %}。"
        "{% endif %}")
    b.tag("{%p endif %}")

    b.h1("{{ sec() }}换届选举")
    b.tag("{%p if judgement.sections.elections %}")
    b.p("{{ judgement.sections.elections }}")
    b.tag("{%p endif %}")
    election_schedule(b)
    b.tag("{{p charts.overdue_by_area }}")
    election_result(b)
    b.tag("{{p charts.committee }}")

    b.tag("{%p if coverage.units %}")
    b.h1("{{ sec() }}“两新”组织党建工作覆盖")
    b.tag("{%p if judgement.sections.coverage %}")
    b.p("{{ judgement.sections.coverage }}")
    b.tag("{%p endif %}")
    coverage_paragraphs(b)
    mass_org_paragraph(b)
    b.tag("{{p charts.coverage_by_size }}")
    b.tag("{%p endif %}")

    b.h1("{{ sec() }}发展党员")
    b.tag("{%p if judgement.sections.development %}")
    b.p("{{ judgement.sections.development }}")
    b.tag("{%p endif %}")
    b.p("{% if development.total %}本期共发展党员{{ development.total }}名{% if development.total_delta is not none %}，"
        "{{ development.total_delta|change(ref, '名') }}{% endif %}。{% if development.under35_share is not none %}"
        "其中，35岁及以下的占{{ development.under35_share|pct }}{{ development.under35_share_note }}"
        "{% if development.college_share is not none %}，"
        "大专及以上学历的占{{ development.college_share|pct }}{{ development.college_share_note }}{% endif %}"
        "{% if development.female_share is not none %}"
        "，女性占{{ development.female_share|pct }}{{ development.female_share_note }}{% endif %}{% if development.two_new %}，来自“两新”组织的"
        "{{ development.two_new }}名{% endif %}。{% endif %}{% else %}本期没有发展党员{% if development.total_delta %}"
        "，{{ development.total_delta|change(ref, '名') }}{% endif %}。{% endif %}")

    b.h1("{{ sec() }}存在的主要问题")
    findings_section(b, "findings", "从本期报送的数据看，未发现需要重点关注的问题。")
    b.h1("{{ sec() }}下步工作建议")
    measures_section(b, "measures")
    b.signature()

    b.appendix("附表", page_break=True)
    for name in ("orgs.by_type", "orgs.by_sector", "orgs.by_area", "members.age_bands", "members.education",
                 "members.by_occupation", "members.by_area", "development.by_area", "tables.committee_compare",
                 "committee.by_area", "elections.overdue_by_area", "elections.overdue", "coverage.by_type",
                 "coverage.by_size", "coverage.by_location"):
        b.tag(f"{{{{p {name} }}}}")
    data_note(b)
    return b


def elections_report() -> Builder:
    b = Builder()
    b.title("{{ title|title_break }}")
    b.subtitle("（{{ period.zh }}）")
    b.p("基层党组织按期换届是落实党内民主、保障党员民主权利的重要制度安排。按照党章和《中国共产党基层组织选举工作条例》"
        "的要求，{{ district }}组织各基层党组织依规开展换届选举，现将{{ period.zh }}换届工作情况报告如下。")

    b.h1("{{ sec() }}基本情况")
    b.tag("{%p if judgement.sections.elections %}")
    b.p("{{ judgement.sections.elections }}")
    b.tag("{%p endif %}")
    overview(b)
    election_schedule(b)
    b.tag("{{p charts.overdue_by_area }}")

    b.h1("{{ sec() }}主要做法和成效")
    b.tag("{{p narrative.主要做法 }}")
    election_result(b, opening="从换届结果看，")
    b.tag("{{p charts.committee }}")
    b.tag("{{p narrative.经验成效 }}")

    b.h1("{{ sec() }}存在的主要问题")
    findings_section(b, "findings_election", "从本期报送的数据看，换届工作中未发现需要重点关注的问题。")
    b.h1("{{ sec() }}下步措施和建议")
    measures_section(b, "measures_election")
    b.attachment_note("attachments")
    b.signature()

    b.appendix("附表", page_break=True)
    for name in ("tables.committee_compare", "committee.age_bands", "committee.education", "committee.by_area",
                 "elections.overdue_by_area", "elections.overdue", "elections.due_soon"):
        if name in ("elections.overdue", "elections.due_soon"):  # a long list is a 附件 instead
            b.tag(f"{{%p if {name}.count <= report.appendix_min_rows %}}")
            b.tag(f"{{{{p {name} }}}}")
            b.tag("{%p endif %}")
        else:
            b.tag(f"{{{{p {name} }}}}")
    data_note(b)
    b.attachments("attachments")
    return b


def two_new_report() -> Builder:
    b = Builder()
    b.title("{{ title|title_break }}")
    b.subtitle("（{{ period.zh }}）")
    b.p("为深入了解{{ district }}非公有制企业和社会组织（以下简称“两新”组织）党建工作情况，我们结合{{ period.zh }}"
        "统计数据，对“两新”组织党组织组建、党的工作覆盖、群团组织建设和党组织换届等情况进行了调研。")
    b.tag("{{p narrative.调研说明 }}")

    b.h1("{{ sec() }}党的组织覆盖和工作覆盖")
    b.tag("{%p if coverage.units %}")
    b.tag("{%p if judgement.sections.coverage %}")
    b.p("{{ judgement.sections.coverage }}")
    b.tag("{%p endif %}")
    coverage_paragraphs(b)
    b.tag("{{p charts.coverage_by_size }}")
    b.tag("{%p else %}")
    b.p("本期没有报送“两新”组织名单，无法统计覆盖情况。")
    b.tag("{%p endif %}")

    b.h1("{{ sec() }}群团组织建设和“一肩挑”")
    mass_org_paragraph(b)
    b.p("{% if two_new.committee.secretary_union_chair_share is not none %}"
        "{% if two_new.elections.held and two_new.elections.held < report.small_base %}"
        "{% set n = (two_new.committee.secretary_union_chair_share * two_new.elections.held)|round|int %}"
        "在本期完成换届的{{ two_new.elections.held }}个“两新”组织党组织中，{% if n %}有{{ n }}个党组织书记兼任"
        "工会主席（“一肩挑”）{% else %}没有党组织书记兼任工会主席（“一肩挑”）{% endif %}。{% else %}"
        "在本期完成换届的“两新”组织党组织中，"
        "党组织书记兼任工会主席（“一肩挑”）的占{{ two_new.committee.secretary_union_chair_share|pct }}。{% endif %}"
        "{% elif committee.secretary_union_chair_share is not none %}在本期完成换届的党组织中，党组织书记兼任"
        "工会主席（“一肩挑”）的占{{ committee.secretary_union_chair_share|pct }}。{% endif %}")

    b.h1("{{ sec() }}“两新”组织党组织换届情况")
    election_result(b, el="two_new.elections", com="two_new.committee", scope="“两新”组织中")
    b.p("{% if two_new.elections.overdue_count %}“两新”组织中仍有{{ two_new.elections.overdue_count }}个党组织"
        "到期未换届{% if two_new.elections.overdue_serious_count %}，其中{{ two_new.elections.overdue_serious_count }}"
        "个逾期超过{{ thresholds.overdue_serious_months }}个月{% endif %}。{% endif %}")

    b.h1("{{ sec() }}存在的主要问题")
    findings_section(b, "findings_two_new", "从本期报送的数据看，“两新”组织党建工作中未发现需要重点关注的问题。")
    b.h1("{{ sec() }}对策建议")
    measures_section(b, "measures_two_new")
    b.signature()

    b.appendix("附表", page_break=True)
    for name in ("coverage.by_type", "coverage.by_size", "coverage.by_location",
                 "tables.two_new_committee_compare"):
        b.tag(f"{{{{p {name} }}}}")
    data_note(b)
    return b


BUILDERS = {"季度统计分析": quarterly, "换届工作情况报告": elections_report, "两新组织党建调研": two_new_report}


def build(out_dir: Path = OUT) -> list[Path]:
    """Write every default template into ``out_dir``; return the paths."""
    paths = []
    for kind, make in BUILDERS.items():
        path = out_dir / f"{kind}.docx"
        make().save(path, title=f"{kind}（reportgen 模板）")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(p)
