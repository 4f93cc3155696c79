"""Generate docs/指标说明.md from the indicator registry and the findings registry.

Run ``python -m reportgen.docsgen`` (or ``make docs``) after adding or changing an indicator or a
finding; a test fails while the committed file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .config import DEFAULT, Config
from .outputs import atomic_write

DOCS = Path(__file__).resolve().parents[1] / "docs"
CATALOGUE = DOCS / "指标说明.md"

GROUP_TITLES = {
    "orgs": "党组织（orgs）",
    "members": "党员队伍（members）",
    "development": "发展党员（development）",
    "elections": "换届选举（elections）",
    "committee": "班子成员（committee）",
    "coverage": "“两新”组织覆盖（coverage）",
    "quality": "数据质量（quality）",
}

GENERAL_RULES = """\
## 通用口径

- **比例**在数据中是 0 到 1 之间的小数（JSON 中也是），报告里印成百分数，最多保留一位小数。
  分母为 0 时比例“无法计算”：值为 `None`（JSON 中为 `null`），报告省略这句话，绝不写成 0%。
- **比例的分母**：性别、民族、学历、工作岗位等分类项，以填写了该项的行为分母（未填写的单列“未填写”，
  不计占比）；“是/否”项（是否流动党员、已建工会、选派党建指导员等）未填写的按“否”计。
- **年龄**是周岁：参照日期的年份减出生年份，当年生日未到再减 1（参照日期前一天出生的人满岁，后一天出生的
  人少一岁）。党员按截止日期计算，新发展党员按入党日期计算，班子成员按各自那一届的选举日期计算（本届按
  本次选举日期，上届按上届选举日期）。平均年龄是这些周岁年龄的算术平均。
- **统计期**是一个季度（如 2026Q3 即 2026-07-01 至 2026-09-30）；截止日期默认是统计期最后一天。
- **换届统计范围**：`elections.*` 和 `committee.*` 统计选举日期在范围内的换届选举，默认是本统计期；
  命令行加 `--election-window year` 时为本年度 1 月 1 日至本期末。`committee.*` 只看这些举行了换届的
  党组织的本届、上届班子。
- **现任一届与届满**：党组织现任一届从“本届选举日期”和截止日期前更晚的选举记录中较晚的一次算起；
  届满日期取党组织表的“本届届满日期”（未填时为本届选举日期加任期年数：党委、党工委 5 年，其他 3 年），
  若换届选举表中有更晚的选举，则为该次选举日期加任期年数。
- **到期未换届**：现任一届届满日期早于截止日期；逾期月数是届满日期到截止日期之间的整月数。
  **即将到期**：届满日期在截止日期当天至其后若干个月内（见下文阈值）。
- **应换届**：任期截至本期末已届满的党组织。本范围内举行了换届的，看被接替的那一届（上届选举日期加任期）
  是否在期末前届满；没有举行换届的，看现任一届。**按期换届**：应换届且在届满日期当天或之前完成换届。
- **连选连任**：本届班子成员在同一党组织上届班子中找到同一个人——身份证号相同；任一方没有身份证号时，
  姓名和出生日期相同；出生日期也缺时，姓名相同。由委员、副书记升任书记的算连选连任，但不算“书记连任”。
- **与上期比较**：给出上期数据时，每个可比的数值指标 X 增加 `X_delta` = 本期 − 上期（比例之差仍是 0 到 1
  之间的小数，报告印成“个百分点”）；任一期无法计算时没有 `X_delta`。可比的表格增加“上期…”列。
  `committee.*` 比较的是本届与上届（`committee.*_delta`），数据质量指标不作比较。
- 表格第一列是分类名称，随后是“人数”（人）或“个数”（组织、单位）和以“占比”“比例”“率”结尾的比例列；
  台账是逐个列出的党组织（或选举、单位）清单。
"""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ") if text not in (None, "") else "—"


def _comparison(spec) -> str:
    from .indicators.compare import PREFIX

    if spec.group == "committee":
        return "本届与上届比较" if spec.id.endswith(("_delta", "_previous")) or spec.is_table else "—"
    if not spec.compare:
        return "—"
    if spec.is_table:
        cols = "、".join(PREFIX + c for c in spec.compare_columns)
        return f"增加列：{cols}" if cols else "—"
    return f"`{spec.id}_delta`"


def indicator_catalogue(config: Config = DEFAULT) -> str:
    """The whole catalogue as Markdown: general rules, every indicator, every finding."""
    from .findings import FINDINGS
    from .indicators import GROUPS, REGISTRY

    lines = ["# 指标说明", "",
             "> 本文件由 `python -m reportgen.docsgen` 根据指标注册表（`reportgen/indicators/`）和问题清单"
             "（`reportgen/findings.py`）自动生成，请勿手工修改。", "",
             "每个指标有固定的编号，在 Python 接口（`ind.get(\"members.total\")`）、JSON（`reportgen context`，"
             "按编号中的点分组嵌套，如 `{\"members\": {\"total\": 8123}}`）、报告模板（`{{ members.total }}`）"
             "和 `reportgen explain 编号 数据文件夹 --period 2026Q3` 中通用。", "", GENERAL_RULES]
    lines += ["## 指标一览", ""]
    for group in GROUPS:
        specs = [s for s in REGISTRY.values() if s.group == group]
        if not specs:
            continue
        lines += [f"### {GROUP_TITLES.get(group, group)}", "",
                  "| 编号 | 名称 | 单位 | 口径 | 分子 | 分母 | 比较 |", "|---|---|---|---|---|---|---|"]
        for s in specs:
            lines.append(f"| `{s.id}` | {_cell(s.label)} | {_cell(s.unit)} | {_cell(s.definition)} | "
                         f"{_cell(s.numerator)} | {_cell(s.denominator)} | {_cell(_comparison(s))} |")
        lines.append("")
    lines += ["## 发现的问题", "",
              "“存在的主要问题”一节只写数据中确实存在的问题（个数为 0 的不写），按严重程度（严重、一般、提示）"
              "再按编号排列。每个问题给出一句陈述事实和数字的话、一条建议措施和一份台账。判断标准中的数字来自"
              "配置（`--config` 指定的 YAML 文件可以修改，下面是当前配置的值）。", "",
              "| 编号 | 名称 | 严重程度 | 依据 | 判断标准 |", "|---|---|---|---|---|"]
    for f in FINDINGS.values():
        severity = f.severity
        if f.id == "elections.overdue":
            severity = f"一般；有逾期超过{config.regulations.overdue_serious_months}个月的为严重"
        lines.append(f"| `{f.id}` | {_cell(f.title)} | {_cell(severity)} | {_cell(f.rule)} | "
                     f"{_cell(f.threshold(config))} |")
    lines.append("")
    return "\n".join(lines)


def write_catalogue(path: str | Path = CATALOGUE, config: Config = DEFAULT) -> Path:
    """Write the catalogue to ``path`` (atomically)."""
    target = Path(path)
    with atomic_write(target) as tmp:
        tmp.write_text(indicator_catalogue(config), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m reportgen.docsgen``: regenerate the generated documents under docs/."""
    path = write_catalogue()
    sys.stdout.write(f"已生成 {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
