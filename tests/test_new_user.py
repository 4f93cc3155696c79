"""Tried as a new user would, from the README alone, through the command line only.

demo → blank template → fill it for a small street (with two mistakes) → validate (exit 1, the two
rows named with their Excel row numbers) → fix the two cells → validate (exit 0) → build (the
figures filled in appear in the report) → build --by area (one report per area plus the whole).
Chinese folder and file names throughout. All people are synthetic (conftest.person_id).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import fields
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import person_id
from reportgen.cli import app
from reportgen.config import DEFAULT
from reportgen.validate.catalog import RULES
from typer.main import get_command

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "用户指南.md"

ENV = {"COLUMNS": "160", "NO_COLOR": "1"}
UNIT = "中共样例区青石街道工作委员会"
WORKBOOK = "青石街道党工委.xlsx"

# The street's organizations: a 党工委 over four branches in two areas (片区).
ORGS = [
    dict(组织编码="Q00", 组织名称="中共样例区青石街道工作委员会", 组织类别="党工委", 所属领域="机关",
         所属片区="东片区", 本届选举日期=date(2022, 11, 20), 书记姓名="林书记"),
    dict(组织编码="Q01", 组织名称="青石街道机关党支部", 上级组织编码="Q00", 组织类别="党支部",
         所属领域="机关", 所属片区="东片区", 本届选举日期=date(2024, 3, 12), 书记姓名="周书记"),
    dict(组织编码="Q02", 组织名称="青石社区党支部", 上级组织编码="Q00", 组织类别="党支部",
         所属领域="城市社区", 所属片区="东片区", 本届选举日期=date(2026, 8, 15), 书记姓名="吴书记"),
    dict(组织编码="Q03", 组织名称="河滨社区党支部", 上级组织编码="Q00", 组织类别="党支部",
         所属领域="城市社区", 所属片区="西片区", 本届选举日期=date(2025, 5, 6), 书记姓名="郑书记"),
    dict(组织编码="Q04", 组织名称="河滨科技园联合党支部", 上级组织编码="Q00", 组织类别="联合党支部",
         所属领域="非公有制企业", 所属片区="西片区", 本届选举日期=date(2024, 9, 30), 书记姓名="王书记"),
]

# (name, male, birth yyyymmdd, education, joined, org) — 20 members, 8 women; 东片区 12, 西片区 8.
PEOPLE = [
    ("甲子明", True, "19680312", "大学本科", date(1995, 7, 1), "Q01"),
    ("乙雅琴", False, "19750521", "研究生", date(2001, 6, 1), "Q01"),
    ("丙建国", True, "19590909", "高中", date(1985, 3, 1), "Q01"),
    ("丁晓燕", False, "19880118", "大学本科", date(2012, 5, 4), "Q01"),
    ("戊志强", True, "19920705", "大专", date(2016, 11, 20), "Q01"),
    ("己春梅", False, "19560203", "初中", date(1980, 7, 1), "Q02"),
    ("庚国华", True, "19620730", "中专", date(1990, 10, 1), "Q02"),
    ("辛丽娟", False, "19990415", "大学本科", date(2026, 7, 10), "Q02"),
    ("壬海涛", True, "19830826", "大专", date(2008, 12, 1), "Q02"),
    ("癸秀英", False, "19510612", "初中", date(1976, 5, 1), "Q02"),
    ("子文博", True, "19950228", "研究生", date(2020, 6, 30), "Q02"),
    ("丑德胜", True, "19491001", "小学", date(1970, 8, 1), "Q02"),
    ("寅红霞", False, "19800310", "大学本科", date(2006, 7, 1), "Q03"),
    ("卯振华", True, "19720719", "高中", date(1998, 9, 1), "Q03"),
    ("辰宏伟", True, "19661124", "大专", date(1993, 4, 1), "Q03"),
    ("巳桂兰", False, "19580505", "初中", date(1986, 7, 1), "Q03"),
    ("午俊杰", True, "19970816", "大学本科", date(2021, 5, 20), "Q04"),
    ("未思远", True, "19900101", "大学本科", date(2014, 6, 18), "Q04"),
    ("申雨萱", False, "19981205", "大学本科", date(2026, 8, 28), "Q04"),
    ("酉立新", True, "19870920", "大专", date(2011, 10, 9), "Q04"),
]
BAD_EDUCATION, BAD_ORG = 5, 13  # indexes into PEOPLE of the two deliberate mistakes
WRONG_EDUCATION, WRONG_ORG = "留过洋", "Q09"


def _birth(s: str) -> date:
    return date(int(s[:4]), int(s[4:6]), int(s[6:]))


def member_rows() -> list[dict]:
    rows = []
    for seq, (name, male, birth, edu, joined, org) in enumerate(PEOPLE, start=1):
        full = None if joined >= date(2025, 10, 1) else date(joined.year + 1, joined.month, 1)
        rows.append({"姓名": name, "公民身份号码": person_id(birth, male, seq), "性别": "男" if male else "女",
                     "民族": "汉族", "出生日期": _birth(birth), "学历": edu, "入党日期": joined,
                     "转正日期": full, "所在党组织编码": org, "是否流动党员": "否"})
    rows[BAD_EDUCATION]["学历"] = WRONG_EDUCATION
    rows[BAD_ORG]["所在党组织编码"] = WRONG_ORG
    return rows


ELECTIONS = [dict(组织编码="Q02", 选举日期=date(2026, 8, 15), 选举方式="党员大会", 应到会人数=7,
                  实到会人数=7, 应选委员数=3, 候选人数=4)]

COMMITTEE = [
    dict(组织编码="Q02", 届别="本届", 姓名="吴书记", 公民身份号码=person_id("19780404", False, 31), 性别="女",
         出生日期=date(1978, 4, 4), 学历="大学本科", 职务="书记"),
    dict(组织编码="Q02", 届别="本届", 姓名="壬海涛", 公民身份号码=person_id("19830826", True, 9), 性别="男",
         出生日期=date(1983, 8, 26), 学历="大学专科", 职务="委员"),
    dict(组织编码="Q02", 届别="本届", 姓名="子文博", 公民身份号码=person_id("19950228", True, 11), 性别="男",
         出生日期=date(1995, 2, 28), 学历="研究生", 职务="委员"),
    dict(组织编码="Q02", 届别="上届", 姓名="吴书记", 公民身份号码=person_id("19780404", False, 31), 性别="女",
         出生日期=date(1978, 4, 4), 学历="大学本科", 职务="书记"),
    dict(组织编码="Q02", 届别="上届", 姓名="庚国华", 公民身份号码=person_id("19620730", True, 7), 性别="男",
         出生日期=date(1962, 7, 30), 学历="中专", 职务="委员"),
    dict(组织编码="Q02", 届别="上届", 姓名="癸秀英", 公民身份号码=person_id("19510612", False, 10), 性别="女",
         出生日期=date(1951, 6, 12), 学历="初中及以下", 职务="委员"),
]

UNITS = [
    dict(单位名称="样例区河滨智能科技有限公司", 单位类型="非公有制企业", 从业人员数=120, 党组织建立情况="联合组建",
         所属党组织编码="Q04", 党员人数=2, 已建工会="是"),
    dict(单位名称="样例区青石家政服务中心", 单位类型="社会组织", 从业人员数=15, 党组织建立情况="未建立",
         选派党建指导员="是"),
]


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


def _fill(ws, rows: list[dict]) -> dict[str, int]:
    """Write rows under the template's header row (row 1); returns {header: column}."""
    columns = {c.value: c.column for c in ws[1] if c.value}
    for i, row in enumerate(rows, start=2):
        for header, value in row.items():
            if value is not None:
                ws.cell(row=i, column=columns[header], value=value)
    return columns


def _fill_cover(ws) -> None:
    values = {"填报单位": UNIT, "统计期": "2026年第三季度", "填报人": "测试员"}
    for row in ws.iter_rows(min_col=1, max_col=1):
        label = row[0].value
        if label in values:
            ws.cell(row=row[0].row, column=2, value=values[label])


def _issues(path) -> list[tuple]:
    ws = openpyxl.load_workbook(path)["问题清单"]
    return [row for row in ws.iter_rows(min_row=2, values_only=True) if row[0]]


def _text(path) -> str:
    d = docx.Document(path)
    return "\n".join(p.text for p in d.paragraphs)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("新用户")


def test_demo_writes_report_tables_validation_and_charts(workdir):
    out = workdir / "示例输出"
    r = run("demo", "-o", out)
    assert r.exit_code == 0, r.output
    for name in ("report.docx", "tables.xlsx", "validation.xlsx"):
        assert (out / name).is_file(), name
    assert sorted((out / "charts").glob("*.png")), "charts/ holds the PNG charts"
    assert "示例报告已生成" in r.stdout
    assert "统计分析报告" in _text(out / "report.docx")


def test_quarter_from_template_to_report(workdir):
    # 1. the blank submission template
    template = workdir / "报送模板.xlsx"
    r = run("template", "-o", template)
    assert r.exit_code == 0, r.output

    # 2. a sub-unit fills it (with two mistakes) and sends it back into the quarter's folder
    quarter = workdir / "报送数据" / "2026年第三季度"
    quarter.mkdir(parents=True)
    submitted = quarter / WORKBOOK
    wb = openpyxl.load_workbook(template)
    _fill_cover(wb["封面"])
    _fill(wb["党组织"], ORGS)
    member_columns = _fill(wb["党员"], member_rows())
    _fill(wb["换届选举"], ELECTIONS)
    _fill(wb["班子成员"], COMMITTEE)
    _fill(wb["两新组织"], UNITS)
    wb.save(submitted)

    # 3. validate: exit 1, the summary names the file and the counts
    checked = workdir / "校验结果"
    r = run("validate", quarter, "-o", checked)
    assert r.exit_code == 1, r.output
    assert WORKBOOK in r.stdout
    assert "错误 2 个" in r.stdout
    assert "未计入 1 行" in r.stdout  # the unknown 学历 is counted (field unknown); the unknown org is not

    # validation.xlsx lists the two rows with their Excel row numbers, column and value
    errors = [row for row in _issues(checked / "validation.xlsx") if row[5] == "错误"]
    found = {(f, s, line, col, val, rule) for f, s, line, col, val, _sev, _t, _msg, rule in errors}
    assert found == {
        (WORKBOOK, "党员", BAD_EDUCATION + 2, "学历", WRONG_EDUCATION, "row.enum"),
        (WORKBOOK, "党员", BAD_ORG + 2, "所在党组织编码", WRONG_ORG, "set.unknown_org"),
    }
    for row in errors:  # every message says what to do
        assert "请" in row[7]

    # 4. fix the two cells in the unit's workbook and validate again: exit 0
    wb = openpyxl.load_workbook(submitted)
    ws = wb["党员"]
    ws.cell(row=BAD_EDUCATION + 2, column=member_columns["学历"], value=PEOPLE[BAD_EDUCATION][3])
    ws.cell(row=BAD_ORG + 2, column=member_columns["所在党组织编码"], value=PEOPLE[BAD_ORG][5])
    wb.save(submitted)
    r = run("validate", quarter, "-o", checked)
    assert r.exit_code == 0, r.output
    assert "错误 0 个" in r.stdout
    assert not [row for row in _issues(checked / "validation.xlsx") if row[5] == "错误"]

    # 5. build: exit 0 and the figures filled in appear in the report
    report_dir = workdir / "报告"
    r = run("build", quarter, "--period", "2026Q3", "-o", report_dir)
    assert r.exit_code == 0, r.output
    text = _text(report_dir / "report.docx")
    assert "样例区2026年第三季度" in text  # district from the cover's 填报单位
    assert "共有基层党组织5个" in text
    assert "党工委1个" in text and "联合党支部1个" in text
    assert "共有党员20名" in text
    assert "女党员占党员总数的40.0%" in text  # 8 of 20 (one decimal in the text, issue 18)
    assert "共发展党员2名" in text  # 辛丽娟 (2026-07-10) and 申雨萱 (2026-08-28)
    assert "共有“两新”组织2家" in text
    tables = openpyxl.load_workbook(report_dir / "tables.xlsx")
    assert len(tables.sheetnames) >= 3


def test_build_by_area_writes_one_report_per_area(workdir):
    quarter = workdir / "报送数据" / "2026年第三季度"
    if not quarter.is_dir():  # run on its own: make the (corrected) submission
        quarter.mkdir(parents=True)
        template = workdir / "报送模板.xlsx"
        assert run("template", "-o", template).exit_code == 0
        wb = openpyxl.load_workbook(template)
        _fill_cover(wb["封面"])
        _fill(wb["党组织"], ORGS)
        rows = member_rows()
        rows[BAD_EDUCATION]["学历"] = PEOPLE[BAD_EDUCATION][3]
        rows[BAD_ORG]["所在党组织编码"] = PEOPLE[BAD_ORG][5]
        _fill(wb["党员"], rows)
        _fill(wb["换届选举"], ELECTIONS)
        _fill(wb["班子成员"], COMMITTEE)
        _fill(wb["两新组织"], UNITS)
        wb.save(quarter / WORKBOOK)
    out = workdir / "分片区报告"
    r = run("build", quarter, "--period", "2026Q3", "--by", "area", "-o", out)
    assert r.exit_code == 0, r.output
    whole = _text(out / "report.docx")
    east = _text(out / "东片区" / "report.docx")
    west = _text(out / "西片区" / "report.docx")
    assert "共有党员20名" in whole
    assert "共有党员12名" in east and "东片区" in east
    assert "共有党员8名" in west and "西片区" in west
    assert sorted(p.name for p in out.iterdir() if p.is_dir() and p.name != "charts") == ["东片区", "西片区"]
    assert "东片区" in r.stdout and "西片区" in r.stdout


# --------------------------------------------------------------------------- the user guide stays true


def _guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def test_guide_lists_every_validation_rule_with_its_severity():
    text = _guide()
    for rule in RULES.values():
        m = re.search(rf"^\| `{re.escape(rule.id)}` \| (\S+) \|", text, re.M)
        assert m, f"{rule.id} is missing from the table of rules in docs/用户指南.md"
        assert m.group(1) == rule.severity, rule.id
    listed = set(re.findall(r"^\| `((?:file|sheet|row|set)\.[a-z0-9_]+)` \|", text, re.M))
    assert listed == set(RULES), "the guide lists a rule the catalogue does not have"


def test_guide_lists_every_config_key_with_its_default():
    text = _guide()
    for group in ("regulations", "concerns", "limits"):
        assert f"**{group}" in text
        for f in fields(getattr(DEFAULT, group)):
            default = getattr(getattr(DEFAULT, group), f.name)
            assert re.search(rf"^\| `{f.name}` \| {re.escape(str(default))} \|", text, re.M), \
                f"{group}.{f.name} (default {default}) is not in docs/用户指南.md"


def _command_lines(text: str) -> list[str]:
    """Every `reportgen …` command line of the guide: in code blocks and in inline code."""
    lines = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
        lines += [ln.split("::")[0].strip() for ln in block.splitlines() if ln.strip().startswith("reportgen ")]
    lines += re.findall(r"`(reportgen [^`]+)`", text)
    return lines


def test_guide_commands_use_existing_commands_and_options():
    group = get_command(app)
    global_opts = {o for p in group.params for o in p.opts + p.secondary_opts}
    lines = _command_lines(_guide())
    assert len(lines) >= 15
    seen = set()
    for line in lines:
        words = [w for w in shlex.split(line, posix=False)[1:] if w != "…"]
        while words and words[0].startswith("-"):
            assert words.pop(0) in global_opts, line
        if not words:
            continue
        assert words[0] in group.commands, line
        command = group.commands[words[0]]
        seen.add(words[0])
        opts = {o for p in command.params for o in p.opts + p.secondary_opts} | {"--help"}
        for w in words[1:]:
            if w.startswith("-") and not w.lstrip("-").isdigit():
                assert w in opts, f"{w} is not an option of reportgen {words[0]}: {line}"
    assert {"demo", "template", "validate", "build", "explain", "context", "sample"} <= seen


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def test_guide_links_and_anchors_resolve():
    text = _guide()
    anchors = {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, re.M)}
    targets = re.findall(r"\]\(([^)]+)\)", text)
    assert targets
    for target in targets:
        if target.startswith("http"):
            continue
        if target.startswith("#"):
            assert target[1:] in anchors, target
        else:
            assert (GUIDE.parent / target).is_file(), target


def test_readme_links_and_picture_resolve():
    """Everything the README points a new user to exists, and its picture is an A4 page."""
    root = GUIDE.parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    targets = [t for t in re.findall(r"\]\(([^)#\s]+)", readme) if not t.startswith("http")]
    assert "docs/用户指南.md" in targets and "docs/images/report-page1.png" in targets
    missing = [t for t in targets if not (root / t).is_file()]
    assert not missing, f"README links to files that do not exist: {missing}"
    png = (root / "docs" / "images" / "report-page1.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert abs(height / width - 297 / 210) < 0.02  # A4 portrait
