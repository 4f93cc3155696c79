"""docs/模板说明.md, generated: every template variable and filter with an example.

Run ``python -m reportgen.render.guide`` after changing the context or the filters; a test fails
while the committed guide is stale. The indicator variables come from the indicator registry, the
others from the report context, so the guide lists exactly what a template can use.
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path

from .. import zh
from ..config import DEFAULT
from .chartset import CHART_TITLES
from .context import GROUPS, KINDS, _zh_date, report_context
from .tables import TITLES

GUIDE_PATH = Path(__file__).resolve().parents[2] / "docs" / "模板说明.md"

# Values derived by the renderer (context.py) for sentences, with what they mean.
DERIVED = {
    "orgs.type_phrase": ("各类别党组织个数的短语，如“党委6个、党总支10个、党支部112个”", "{{ orgs.type_phrase }}"),
    "members.over60_share": ("61岁及以上党员占比（取自年龄结构表）", "{{ members.over60_share|pct }}"),
    "members.top_occupation": ("在职党员中人数最多的工作岗位（不含离退休人员）", "{{ members.top_occupation }}"),
    "members.top_occupation_share": ("该岗位党员占党员总数的比例", "{{ members.top_occupation_share|pct }}"),
    "members.college_share_note": ("学历未填写或无法识别的党员超过党员总数的2%（concerns.unknown_note_share）时，"
                                   "紧跟在比例后的说明，如“（另有12名党员学历未填写或无法识别，未计入该比例）”；"
                                   "否则为空。female_share_note（性别）、minority_share_note（民族）、"
                                   "retired_share_note（工作岗位）、age_mean_note（出生日期）同理",
                                   "{{ members.college_share_note }}"),
    "members.female_share_note": ("性别未填写或无法识别的党员超过2%时，女党员占比后的说明；否则为空",
                                  "{{ members.female_share_note }}"),
    "members.minority_share_note": ("民族未填写的党员超过2%时，少数民族党员占比后的说明；否则为空",
                                    "{{ members.minority_share_note }}"),
    "members.retired_share_note": ("工作岗位未填写或无法识别的党员超过2%时，离退休党员占比后的说明；否则为空",
                                   "{{ members.retired_share_note }}"),
    "members.age_mean_note": ("出生日期未填写或无法识别的党员超过2%时，平均年龄后的说明；否则为空",
                              "{{ members.age_mean_note }}"),
    "development.under35_share_note": ("新发展党员中出生日期未知的超过2%时，35岁及以下占比后的说明；否则为空",
                                       "{{ development.under35_share_note }}"),
    "development.college_share_note": ("新发展党员中学历未知的超过2%时，大专及以上占比后的说明；否则为空",
                                       "{{ development.college_share_note }}"),
    "development.female_share_note": ("新发展党员中性别未知的超过2%时，女性占比后的说明；否则为空",
                                      "{{ development.female_share_note }}"),
    "elections.overdue_count": ("到期未换届的党组织个数（名单的行数）", "{{ elections.overdue_count }}"),
    "elections.overdue_serious_count": ("其中逾期超过规定月数（thresholds.overdue_serious_months）的个数",
                                        "{{ elections.overdue_serious_count }}"),
    "elections.due_soon_count": ("即将届满的党组织个数", "{{ elections.due_soon_count }}"),
    "development.two_new_share": ("新发展党员中来自“两新”组织的比例", "{{ development.two_new_share|pct }}"),
    "committee.female_share_previous": ("上届班子女性成员占比", "{{ committee.female_share_previous|pct }}"),
}

TOP = [
    ("district", "地区名称：数据中的地区，或封面“填报单位”的共同前缀（如“示例区”），否则为“全区”；Python 接口 render_report 的 district 参数可以指定",
     "{{ district }}"),
    ("title", "报告标题（按报告类型自动拟定；render_report 的 title 参数可以指定）", "{{ title }}"),
    ("kind", "报告类型：" + "、".join(KINDS), "{{ kind }}"),
    ("period.label", "统计期代码", "{{ period.label }}"),
    ("period.zh", "统计期中文", "{{ period.zh }}"),
    ("period.start / period.end", "统计期起止日期（ISO 格式）", "{{ period.end|date_zh }}"),
    ("as_of_zh", "统计截止日期（中文）", "{{ as_of_zh }}"),
    ("ref", "与上期比较时的称呼，即“上季度”（上期数据不是上一季度时为其统计期，如“2026年第一季度”）", "{{ members.total_delta|change(ref, '名') }}"),
    ("has_previous", "是否有上期数据可比较", "{% if has_previous %}…{% endif %}"),
    ("previous.<分组>.<指标>", "上期的同一指标（没有上期时为空）", "{{ previous.members.total }}"),
    ("sec()", "一级标题序号，依次输出“一、”“二、”……", "{{ sec() }}基本情况"),
    ("sub()", "二级标题序号，依次输出“（一）”“（二）”……，每个 sec() 之后重新开始", "{{ sub() }}主要做法"),
]

FINDING_FIELDS = [
    ("f.no", "问题序号（按严重程度、再按涉及数量排序后）"), ("f.id", "问题编号，如 elections.overdue"),
    ("f.title", "问题标题，如“到期未换届”"), ("f.severity", "严重程度：严重、一般、提示"),
    ("f.count", "涉及的组织或选举个数"), ("f.sentence", "陈述事实和数字的一句话"),
    ("f.measure", "建议措施（一句话）"), ("f.rule", "依据的规定"),
    ("f.ledger", "涉及组织的名单（表格，写成 {{p f.ledger }}）"),
]

JUDGEMENT = [
    ("judgement.overall", "总体情况：若干句话的列表。第一句按严重程度和涉及数量列出最突出的三类问题及其数字，"
     "第二句写到期未换届党组织最集中的片区及其占比、其中上期已到期未换届的个数",
     "总体上看，{{ judgement.overall|join('') }}"),
    ("judgement.sections.orgs", "基本情况的开头：组织设置问题中排在最前的一项最集中的片区及其占比（与上期台账按组织编码比对）",
     "{{ judgement.sections.orgs }}"),
    ("judgement.sections.members", "党员队伍结构的开头：平均年龄最高、35岁及以下占比最低的片区，与全区相差达到"
     " report.area_margin_years（3岁）、report.area_margin_share（5个百分点）且人数不少于 report.small_base 时才点名",
     "{{ judgement.sections.members }}"),
    ("judgement.sections.elections", "换届选举的开头：到期未换届党组织最集中的片区及其占比，其中上期已到期未换届的个数",
     "{{ judgement.sections.elections }}"),
    ("judgement.sections.coverage", "“两新”组织覆盖的开头：党组织覆盖率最低、比全区低 report.area_margin_share 以上的园区楼宇",
     "{{ judgement.sections.coverage }}"),
    ("judgement.sections.development", "发展党员的开头：新发展党员中35岁及以下占比最低、比全区低 report.area_margin_share 以上的片区",
     "{{ judgement.sections.development }}"),
]

SOURCES = [
    ("sources.file_count", "读取的文件个数"), ("sources.files_text", "文件名列表（超过8个时只列前8个，末尾写“等”）"),
    ("sources.rows_read", "读取的数据行数"), ("sources.rows_used", "纳入统计的行数"),
    ("sources.rows_left_out", "因错误未纳入统计的行数"), ("sources.errors", "错误个数"),
    ("sources.warnings", "警告个数"),
    ("sources.scope_note", "分片区报告的数据说明：未建立党组织、无法确定片区、未计入各片区报告的“两新”组织数（其他报告为空）"),
    ("sources.previous_note", "上期数据的说明：上期数据无可用数据、与本期同期或不是上一季度时的一句话（正常比较时为空）"),
]

FILTERS = [
    ("pct", "比例写成百分数，统一保留一位小数（配置 report.pct_digits）", "{{ x|pct }}", 0.8, zh.pct_text(0.8)),
    ("num", "数字最多一位小数，去掉多余的0", "{{ x|num }}", 44.0, zh.num(44.0)),
    ("wan", "大数写成“万”", "{{ x|wan }}", 18500, zh.wan(18500)),
    ("approx", "约数", "{{ x|approx }}", 1234, zh.approx(1234)),
    ("pp", "两个比例之差的百分点数（不带符号）", "{{ x|pp }}", 0.009, zh.pp(0.009)),
    ("pp_change", "比例的变化", "{{ x|pp_change('上届') }}", 0.009, zh.pp_change(0.009, "上届")),
    ("count_change", "人数、个数的变化（多/少）", "{{ x|count_change('上届', '名') }}", 6,
     zh.count_change(6, "上届", "名")),
    ("change", "变化（增加/减少）", "{{ x|change('上季度', '人') }}", -3, zh.change(-3, "上季度", "人")),
    ("age_change", "平均年龄的变化", "{{ x|age_change('上届') }}", -1.8, zh.age_change(-1.8, "上届")),
    ("ordinal", "序号：1级“一、”，2级“（一）”", "{{ x|ordinal(2) }}", 3, zh.ordinal(3, 2)),
    ("cn", "中文数字", "{{ x|cn }}", 12, zh.chinese_number(12)),
    ("date_zh", "日期写成中文", "{{ x|date_zh }}", "2026-09-30", _zh_date("2026-09-30")),
    ("share_or_count", "基数小于 report.small_base（默认10）时写人数，不写百分比",
     "{{ x|share_or_count(3, '名') }}", 1 / 3, zh.share_or_count(1 / 3, 3, "名", small=10)),
    ("title_break", "标题过长时在词组之间换行（不拆开词语）", "{{ title|title_break }}",
     "示例区2026年第三季度党员队伍和基层组织建设情况统计分析报告",
     " / ".join(zh.title_lines("示例区2026年第三季度党员队伍和基层组织建设情况统计分析报告"))),
]



LAYOUT_SECTION = [
    "## 九、行文规则和版式（GB/T 9704-2012）",
    "",
    "行文规则（reportgen/zh.py，配置文件 `report:` 一组可改）：",
    "",
    "1. 正文中的百分数统一保留一位小数（`report.pct_digits`，默认1），如“51.0%”“69.7%”。",
    "2. “个百分点”和“持平/高于/低于”按报告中显示的（四舍五入后的）数字计算：上季度写45.5%、本季度写35.4%，"
    "就写“低于上季度10.1个百分点”；只有两个显示的数字相同才写“持平”。年龄同理，写“比上届年轻X岁”或“比上届提高X岁”，"
    "不写“大X岁”。",
    "3. 一段中有两处以上“与上季度持平”时，只在段末说一次：“其余各项与上季度持平。”（都持平时写“上述各项均与上季度持平。”）。",
    "4. 基数小于 `report.small_base`（默认10）时写人数、个数，不写百分比（如班子成员3名时写“连选连任的1名、新进班子的2名”）。"
    "基数为0时不写“0%”：表格中为“—”，图中不画该柱并标“—”。",
    "5. 正文不写软件名、命令和文件名；数据来源只在“数据说明”中列出。",
    "6. 生成后的正文段落中，夹在两个汉字或中文标点之间的空格（模板标记留下的）会被删去（reportgen/render/docx.py "
    "`tidy_body_text`）。",
    "",
    "模板中可用的版式变量：`report.signature_unit`（落款，配置 `report.signature_unit`）、`report.date`"
    "（成文日期，配置 `report.date`，写成“2026年12月6日”）、`report.small_base`、`report.pct_digits`、"
    "`report.appendix_min_rows`，以及 `attachments`（超过 `report.appendix_min_rows` 行的名单，每项有 `title` "
    "和 `block`，默认的换届工作情况报告把它们放进附件）。",
    "",
    "样式（默认模板和生成的报告中都有，用户模板缺少时自动补上）：",
    "",
    "| 样式 | 用途 | 字体字号 |",
    "|---|---|---|",
    "| Title | 标题（居中，过长时用 `title_break` 在词组之间换行） | 方正小标宋简体 二号 |",
    "| heading 1 | 一级标题“一、” | 黑体 三号 |",
    "| heading 2 | 二级标题“（一）” | 楷体_GB2312 三号 |",
    "| heading 3 | 三级标题“1.” | 仿宋_GB2312 三号 加粗 |",
    "| heading 4 | 四级标题“（1）” | 仿宋_GB2312 三号 |",
    "| Normal | 正文（首行缩进2字，固定行距28.9磅，每行28字） | 仿宋_GB2312 三号 |",
    "| 落款、成文日期 | 正文之后右对齐，右空四字 | 仿宋_GB2312 三号 |",
    "| 附件说明、附件说明续 | 正文下空一行、左空二字写“附件：1. 名称”，名称回行时与首字对齐；“2. 名称”与“1.”对齐 | "
    "仿宋_GB2312 三号 |",
    "| 附件标识 | 每个附件另起一页，左上角写“附件1” | 黑体 三号 |",
    "| 附件标题 | 附件的标题，居中 | 方正小标宋简体 二号 |",
    "",
    "版面：A4，上37毫米、下35毫米、左28毫米、右26毫米，版心156毫米×225毫米，每页22行、每行28字。行网格的行距为"
    "579缇（225毫米÷22）；正文字符紧缩0.5磅，使一行正好排28字（Word、WPS 和 LibreOffice 一致；字符网格"
    "“linesAndChars”在 LibreOffice 中会把每字排成两格、每行只有14字，所以不用）。字体表中为电脑上没有的字体写了"
    "替代字体：仿宋_GB2312→仿宋、楷体_GB2312→楷体、方正小标宋简体→宋体（WPS 中也可用华文中宋），并注明 GB2312 "
    "字符集。",
    "",
]


def _judgement_rules() -> tuple:
    from .judgement import RULES

    return RULES


def _usage(key: str, unit: str) -> str:
    if key.endswith("_delta"):
        base = key.removesuffix("_delta")
        ref = "'上届'" if key.startswith("committee.") else "ref"
        if unit == "%":
            return f"{{{{ {key}|pp_change({ref}) }}}}"
        if unit == "岁":
            return f"{{{{ {key}|age_change({ref}) }}}}"
        if key.startswith("committee."):
            return f"{{{{ {key}|count_change('上届', '名') }}}}"
        return f"{{{{ {key}|change(ref, '{unit or '个'}') }}}}" if base else ""
    if unit == "%":
        return f"{{{{ {key}|pct }}}}"
    if unit == "岁":
        return f"{{{{ {key}|num }}}}"
    if unit in ("表", "台账"):
        return f"{{{{p {key} }}}}"
    return f"{{{{ {key} }}}}"


def _indicator_rows() -> list[tuple[str, str, str, str]]:
    from ..indicators import REGISTRY

    rows = []
    for key, spec in REGISTRY.items():
        unit = spec.unit or ""
        rows.append((key, spec.label, unit, _usage(key, unit)))
        if getattr(spec, "compare", False) and unit not in ("表", "台账") and \
                f"{key}_delta" not in REGISTRY:
            rows.append((f"{key}_delta", f"{spec.label}比上季度的变化", unit, _usage(f"{key}_delta", unit)))
    return rows


def _md_table(head: tuple[str, ...], rows: list[tuple]) -> list[str]:
    def cell(v: object) -> str:
        return str(v).replace("|", "\\|")
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(f"`{cell(r[0])}`" if i == 0 else cell(c) for i, c in enumerate(r)) + " |"
            for r in rows]
    return out


def guide_text() -> str:
    """The Markdown of docs/模板说明.md."""
    ctx = report_context({})
    lines = [
        "# 报告模板说明",
        "",
        "<!-- 本文件由 `python -m reportgen.render.guide` 生成，请勿手工修改。 -->",
        "",
        "报告（report.docx）由 Word 模板生成。模板就是一个普通的 .docx 文件，里面用 `{{ }}`、`{% %}` 标出要填入数字和"
        "文字的地方。可以先导出默认模板，在 Word 或 WPS 中修改措辞、增删段落，再用它生成报告：",
        "",
        "```",
        "reportgen template --report 季度统计分析 -o 我的模板.docx",
        "reportgen build 数据文件夹 --period 2026Q3 --template 我的模板.docx -o 输出文件夹",
        "```",
        "",
        "默认模板有三种：" + "、".join(KINDS) + "。生成默认模板的脚本是 `templates/build_templates.py`。",
        "",
        "## 一、写法",
        "",
        "1. `{{ 变量 }}` 填入一个值。值不存在（例如分母为0的比例、没有上期数据时的变化）时什么也不填，所以含有数字的句子"
        "要写在条件里：`{% if members.female_share is not none %}女党员占{{ members.female_share|pct }}。{% endif %}`。",
        "2. `{% if 条件 %}…{% else %}…{% endif %}` 写在同一段里，控制一句话是否出现；`{%p if 条件 %}`、`{%p else %}`、"
        "`{%p endif %}` 各自单独成段，控制其间的整段文字是否出现。循环同理：`{%p for f in findings %}` … `{%p endfor %}`，"
        "循环中 `{{ loop.index }}` 是序号。",
        "3. 表格、图和成段的文字（名单、统计表、图表、narrative.yaml 中的段落）必须单独成段，写成 `{{p 名称 }}`，例如"
        " `{{p members.age_bands }}`、`{{p charts.age_bands }}`、`{{p narrative.主要做法 }}`。表和图按在报告中出现的"
        "先后自动编号（表1、图1……），没有数据的表或图不出现、也不占编号。",
        "4. 标题序号用 `{{ sec() }}`（一、二、三……）和 `{{ sub() }}`（（一）（二）……），这样删掉或条件隐藏一节后序号"
        "仍然连续。",
        "5. 过滤器写在竖线后面，把数字变成报告里的说法，例如 `{{ committee.age_mean_delta|age_change('上届') }}` → "
        "“比上届年轻1.8岁”，不会出现“增加了-3人”这样的写法。",
        "6. 标记所在的段落和文字的格式（字体、字号、缩进）会保留到生成的报告中。",
        "7. 写错变量名时，生成会停止并提示最接近的正确名称和出错的段落，例如：“模板中用到的变量“members.femal_share”"
        "不存在……您是不是要用：members.female_share？”。用 `{% if 名称 is defined %}` 包起来的名称不检查。",
        "8. 数据中的文字（组织名称等）只会原样填入，不会被当作模板执行；模板中的循环不能超过10000次，单个文字不能超过"
        "10万字，模板文件内容不能超过20 MB。",
        "",
        "## 二、过滤器",
        "",
        *_md_table(("过滤器", "作用", "写法", "x 的值", "结果"),
                   [(n, d, f"`{w}`", v, r) for n, d, w, v, r in FILTERS]),
        "",
        "每个过滤器遇到空值时输出空字符串。",
        "",
        "## 三、报告信息",
        "",
        *_md_table(("变量", "含义", "写法示例"), [(k, d, f"`{e}`") for k, d, e in TOP]),
        "",
        "## 四、指标",
        "",
        "指标的名称与《指标说明》（docs/指标说明.md）一致：`分组.指标`。比例是0到1之间的数，用 `|pct` 写成百分数；"
        "`_delta` 结尾的是变化量：党员、组织等与上季度比较，`committee.*` 与上届班子比较（比例之差用 `|pp_change` 写成"
        "“个百分点”）。单位为“表”“台账”的是表格，写成 `{{p 名称 }}`。",
        "",
        *_md_table(("变量", "含义", "单位", "写法示例"),
                   [(k, label, unit, f"`{use}`") for k, label, unit, use in _indicator_rows()]),
        "",
        "### 为行文准备的数值",
        "",
        *_md_table(("变量", "含义", "写法示例"), [(k, d, f"`{e}`") for k, (d, e) in DERIVED.items()]),
        "",
        "### “两新”组织中的换届",
        "",
        "`two_new.orgs`、`two_new.members`、`two_new.elections`、`two_new.committee` 是只按“两新”组织（所属领域为非公有制"
        "企业、社会组织）的党组织计算的同名指标，例如 `{{ two_new.committee.reelected_share|pct }}`（两新组织党建调研"
        "报告使用；其他报告中为空）。",
        "",
        "## 五、问题、建议和名单",
        "",
        "`findings` 是数据反映出的问题（只列出确实存在的），按严重程度、再按涉及数量（个数）从多到少排序；`findings_election` 只含换届和班子方面的问题，"
        "`findings_two_new` 只含“两新”组织方面的问题。`measures`、`measures_election`、`measures_two_new` 是对应问题的"
        "建议措施（去掉了重复）。在 `{%p for f in findings %}` 循环中可以用：",
        "",
        *_md_table(("变量", "含义"), FINDING_FIELDS),
        "",
        "示例（默认模板的写法）：",
        "",
        "```",
        "{%p for f in findings %}",
        "（{{ loop.index|cn }}）{{ f.title|trim('。') }}。{{ f.sentence }}",
        "{%p endfor %}",
        "```",
        "",
        "### 分析判断（judgement）",
        "",
        "`judgement` 把数字变成判断：每部分开头先写最重要的一件事和它的数字，报告开头写总体情况。没有可写的内容时为空，"
        "模板用 `{%p if judgement.sections.members %}` 判断。",
        "",
        *_md_table(("变量", "含义", "写法"), JUDGEMENT),
        "",
        "“反映出……”“问题相对集中……”这样的判断只在下表的条件成立时才写（阈值可在配置文件 report 组中修改）：",
        "",
        *_md_table(("判断", "条件", "写出的话"), [(r.id, r.doc, r.sentence) for r in _judgement_rules()]),
        "",
        "## 六、表格和图",
        "",
        "指标中的表格（见第四部分单位为“表”“台账”的变量）直接写 `{{p 名称 }}`。另有：",
        "",
        *_md_table(("变量", "内容"),
                   [("tables.committee_compare", TITLES["committee.compare"] + "（本届、上届的人数和占比，两层表头）"),
                    ("tables.two_new_committee_compare", TITLES["two_new.committee.compare"])]
                   + [(f"charts.{k}", f"图：{title}") for k, title in CHART_TITLES.items()]),
        "",
        "表格还可以这样用：`{{ members.by_area.count }}`（行数）、`{{ members.by_area.title }}`（表名），"
        "`{% for r in members.by_area.rows %}{{ r.所属片区 }}{{ r.人数 }}名；{% endfor %}`（逐行写成文字，数值已按"
        "报告格式写好）。",
        "",
        "## 七、文字段落（narrative.yaml）",
        "",
        "数据文件夹中的 narrative.yaml 提供数据给不出的文字，例如 `主要做法`、`经验成效`、`下步工作`、`调研说明`。"
        "模板中写 `{{p narrative.主要做法 }}`：",
        "",
        "- 给的是列表时，每项一段，自动编号为“（一）”“（二）”……，第一句（到第一个“。”）用楷体；",
        "- 给的是一段文字时，按行分段；",
        "- 没有给时，显示黄色底纹的“【待补充：…】”，提醒在 narrative.yaml 中补写或在生成的报告中直接改写。",
        "",
        "`{% if '下步工作' in narrative %}` 判断是否给了某一项。",
        "",
        "## 八、数据来源和阈值",
        "",
        *_md_table(("变量", "含义"), SOURCES),
        "",
        "`thresholds.<名称>` 是判断问题所用的阈值（可在配置文件中修改），例如 "
        "`{{ thresholds.overdue_serious_months }}`：",
        "",
        *_md_table(("变量", "默认值"), [(f"thresholds.{k}", v) for k, v in
                                       {**asdict(DEFAULT.regulations), **asdict(DEFAULT.concerns)}.items()]),
        "",
        *LAYOUT_SECTION,
    ]
    assert set(GROUPS) <= set(ctx)  # the groups listed above exist in every context
    return "\n".join(lines)


def write_guide(path: Path = GUIDE_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(guide_text(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_guide(Path(sys.argv[1]) if len(sys.argv) > 1 else GUIDE_PATH))
