"""The blank submission template and docs/数据格式.md (issue 2, part 1)."""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from conftest import person_id
from reportgen import schema
from reportgen.ingest import load
from reportgen.submission_template import (DOCS_PATH, GUIDE_SHEET, OPTIONS_SHEET, TEMPLATE_ROWS,
                                           format_markdown, main, write_template)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "报送模板.xlsx")


def test_sheets_headers_and_layout(template):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == ["封面", "党组织", "党员", "换届选举", "班子成员", "两新组织", GUIDE_SHEET, OPTIONS_SHEET]
    assert wb[OPTIONS_SHEET].sheet_state == "hidden"
    assert all(wb[n].sheet_state == "visible" for n in wb.sheetnames[:-1])
    cover = wb["封面"]
    assert [cover.cell(r, 1).value for r in range(1, 6)] == ["填报单位", "统计期", "截止日期", "填报人", "联系电话"]
    for sh in schema.DATA_SHEETS:
        ws = wb[sh.name]
        assert [c.value for c in ws[1]] == [f.header for f in sh.fields]
        assert ws.freeze_panes == "A2"
        assert ws.max_row == 1  # nothing but the header row
        for c, f in enumerate(sh.fields, start=1):
            cell = ws.cell(1, c)
            assert cell.font.b
            assert cell.comment is not None and f.note in cell.comment.text
            # required headers are orange, optional ones blue: the user sees which is which
            assert cell.fill.fgColor.rgb.endswith("F8CBAD" if f.required else "DDEBF7")
            assert ws.column_dimensions[get_column_letter(c)].width >= 10


def test_text_and_date_columns_are_formatted(template):
    wb = openpyxl.load_workbook(template)
    members = wb["党员"]
    col = {c.value: c.column_letter for c in members[1]}
    assert members.column_dimensions[col["公民身份号码"]].number_format == "@"
    assert members.column_dimensions[col["联系电话"]].number_format == "@"
    assert members.column_dimensions[col["所在党组织编码"]].number_format == "@"
    assert members.column_dimensions[col["出生日期"]].number_format == "yyyy-mm-dd"
    assert members.column_dimensions[col["入党日期"]].number_format == "yyyy-mm-dd"
    assert members.column_dimensions[col["姓名"]].number_format == "General"
    units = wb["两新组织"]
    col = {c.value: c.column_letter for c in units[1]}
    assert units.column_dimensions[col["统一社会信用代码"]].number_format == "@"
    assert units.column_dimensions[col["从业人员数"]].number_format == "0"
    assert wb["封面"]["B3"].number_format == "yyyy-mm-dd"


def test_every_enumerated_column_has_a_drop_down(template):
    wb = openpyxl.load_workbook(template)
    options = wb[OPTIONS_SHEET]
    for sh in schema.DATA_SHEETS:
        ws = wb[sh.name]
        validations = {}
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                validations[rng.coord] = dv
        enumerated = [(c, f) for c, f in enumerate(sh.fields, start=1) if f.enum is not None]
        assert enumerated
        assert len(validations) == len(enumerated)
        for c, f in enumerated:
            letter = get_column_letter(c)
            dv = validations[f"{letter}2:{letter}{TEMPLATE_ROWS}"]
            assert dv.type == "list" and dv.showErrorMessage
            # the list is a range of the hidden sheet holding exactly the enumeration's values
            ref = dv.formula1.split("!")[1].replace("$", "")
            low, row, high, _ = range_boundaries(ref)  # 民族 has 56 values: columns past Z
            values = [options.cell(row, c).value for c in range(low, high + 1)]
            assert values == list(f.enum.values), (sh.name, f.header)
            assert dv.formula1.startswith(f"'{OPTIONS_SHEET}'!")


def test_guide_explains_every_column(template):
    wb = openpyxl.load_workbook(template)
    ws = wb[GUIDE_SHEET]
    rows = {(r[0], r[1]): r for r in ws.iter_rows(values_only=True) if r[0] and r[1]}
    for sh in schema.SHEETS:
        for f in sh.fields:
            r = rows[(sh.name, f.header)]
            assert r[2].startswith("必填" if f.required else "选填")
            assert r[5] == f.note and r[6] == f.example
            if f.enum is not None:
                assert r[4] == "、".join(f.enum.values)


def test_template_is_deterministic(tmp_path):
    a = write_template(tmp_path / "a.xlsx").read_bytes()
    b = write_template(tmp_path / "b.xlsx").read_bytes()
    assert a == b


def credit_code(first17: str) -> str:
    """GB 32100 check character, written out independently of the package."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    return first17 + chars[(31 - sum(chars.index(c) * w for c, w in zip(first17, weights)) % 31) % 31]


def _fill(ws, rows: list[dict]) -> None:
    """Type rows under the headers as a user would in Excel: each new cell takes its column's
    format (Excel does this on entry; openpyxl needs it spelled out)."""
    col = {c.value: c.column for c in ws[1]}
    for r, values in enumerate(rows, start=2):
        for header, value in values.items():
            cell = ws.cell(r, col[header], value)
            cell.number_format = ws.column_dimensions[get_column_letter(col[header])].number_format


def test_filled_template_reads_without_errors(template, tmp_path):
    wb = openpyxl.load_workbook(template)
    d = datetime
    _fill(wb["封面"], [])
    wb["封面"]["B1"] = "示例区城东街道党工委"
    wb["封面"]["B2"] = "2026Q3"
    wb["封面"]["B3"] = d(2026, 9, 30)
    _fill(wb["党组织"], [
        {"组织编码": "0101", "组织名称": "中共示例区城东街道第一社区委员会", "组织类别": "党委", "所属领域": "城市社区",
         "所属片区": "城东街道", "成立日期": d(2001, 7, 1), "本届选举日期": d(2026, 8, 15), "书记姓名": "周明"},
        {"组织编码": "010101", "组织名称": "中共示例区城东街道第一社区第一支部委员会", "上级组织编码": "0101",
         "组织类别": "党支部", "所属领域": "城市社区", "所属片区": "城东街道", "本届选举日期": d(2024, 5, 20),
         "任期年数": 3, "书记姓名": "吴芳", "书记兼任工会主席": "否"},
    ])
    ids = [person_id("19800312", True, 11), person_id("19920605", False, 12), person_id("19650101", True, 13),
           person_id("19980909", False, 14)]
    _fill(wb["党员"], [
        {"姓名": "周明", "公民身份号码": ids[0], "性别": "男", "民族": "汉族", "出生日期": d(1980, 3, 12),
         "学历": "大学本科", "入党日期": d(2003, 6, 1), "转正日期": d(2004, 6, 1), "所在党组织编码": "010101",
         "工作岗位": "企事业单位、社会组织管理人员", "是否流动党员": "否", "联系电话": "13900001111"},
        {"姓名": "吴芳", "公民身份号码": ids[1], "性别": "女", "民族": "回族", "出生日期": d(1992, 6, 5),
         "学历": "研究生", "入党日期": d(2014, 5, 4), "转正日期": d(2015, 5, 4), "所在党组织编码": "010101",
         "工作岗位": "企事业单位、社会组织专业技术人员", "是否流动党员": "否"},
        {"姓名": "郑强", "公民身份号码": ids[2], "性别": "男", "民族": "汉族", "出生日期": d(1965, 1, 1),
         "学历": "高中、中技", "入党日期": d(1990, 7, 1), "转正日期": d(1991, 7, 1), "所在党组织编码": "010101",
         "工作岗位": "离退休人员", "是否流动党员": "否"},
        {"姓名": "王静", "公民身份号码": ids[3], "性别": "女", "民族": "汉族", "出生日期": d(1998, 9, 9),
         "学历": "大学专科", "入党日期": d(2026, 7, 1), "人员类别": "预备党员", "所在党组织编码": "010101",
         "工作岗位": "其他职业人员", "是否流动党员": "是"},
    ])
    _fill(wb["换届选举"], [
        {"组织编码": "0101", "选举日期": d(2026, 8, 15), "上届选举日期": d(2021, 8, 10), "选举方式": "党员大会",
         "应到会人数": 120, "实到会人数": 112, "应选委员数": 5, "候选人数": 6},
    ])
    _fill(wb["班子成员"], [
        {"组织编码": "0101", "届别": "本届", "姓名": "周明", "公民身份号码": ids[0], "性别": "男",
         "出生日期": d(1980, 3, 12), "学历": "大学本科", "职务": "书记", "兼任职务": "工会主席"},
        {"组织编码": "0101", "届别": "本届", "姓名": "吴芳", "公民身份号码": ids[1], "性别": "女",
         "出生日期": d(1992, 6, 5), "学历": "研究生", "职务": "委员"},
        {"组织编码": "0101", "届别": "上届", "姓名": "周明", "公民身份号码": ids[0], "性别": "男",
         "出生日期": d(1980, 3, 12), "学历": "大学本科", "职务": "副书记"},
    ])
    _fill(wb["两新组织"], [
        {"单位名称": "示例华瑞科技有限公司", "统一社会信用代码": credit_code("91990101MA0000001"), "单位类型": "非公有制企业",
         "从业人员数": 150, "所在园区楼宇": "城东科技园", "党组织建立情况": "未建立", "党员人数": 2,
         "选派党建指导员": "是", "已建工会": "是"},
    ])
    folder = tmp_path / "2026Q3"
    folder.mkdir()
    wb.save(folder / "城东街道.xlsx")

    ds = load(folder, period="2026Q3")
    errors = ds.issues[ds.issues["severity"] == "错误"]
    assert errors.empty, errors.to_string()
    # only the 已跳过 lines of the template's own 填报说明 and hidden drop-down sheets (issue 16:
    # nothing is skipped without a line)
    assert dict(zip(ds.issues["rule"], ds.issues["severity"])) == {
        "sheet.skipped_instructions": "已跳过", "sheet.skipped_dictionary": "已跳过"}, ds.issues.to_string()
    rec = ds.reconciliation.set_index("sheet")
    expected = {"党组织": 2, "党员": 4, "换届选举": 1, "班子成员": 3, "两新组织": 1}
    for name, n in expected.items():
        assert rec.loc[name, "rows_read"] == n and rec.loc[name, "rows_used"] == n, name
    assert (len(ds.orgs), len(ds.members), len(ds.elections), len(ds.committee), len(ds.units)) == (2, 4, 1, 3, 1)
    # text-formatted columns keep what was typed: the leading zero of codes, all 18 ID digits
    assert sorted(ds.orgs["org_id"]) == ["0101", "010101"]
    assert sorted(ds.members["id_number"]) == sorted(ids)
    assert ds.meta["units"] == ["示例区城东街道党工委"]


def test_docs_are_current():
    assert DOCS_PATH == REPO / "docs" / "数据格式.md"
    current = DOCS_PATH.read_text(encoding="utf-8") if DOCS_PATH.exists() else ""
    assert current == format_markdown(), (
        "docs/数据格式.md is out of date with reportgen/schema.py: run `make docs` "
        "(or python -m reportgen.submission_template --docs)")


def test_markdown_covers_the_schema():
    text = format_markdown()
    for sh in schema.SHEETS:
        assert f"### {sh.name}" in text
        for alias in sh.aliases:
            assert alias in text
        for f in sh.fields:
            assert f"| {f.header} |" in text
            for alias in f.aliases:
                assert alias in text
    for enum in schema.ENUMERATIONS.values():
        for v in enum.values:
            assert f"| {v} |" in text
        for alias in enum.aliases:
            assert alias in text
    for form in ("2010-05-01", "2010/5/1", "2010.05", "2010年5月", "2010年5月1日", "201005", "20100501"):
        assert f"`{form}`" in text
    assert "党委、党工委5年" in text  # the default term length, from schema.TERM_YEARS_DEFAULT


def test_command_line_writes_both(tmp_path, capsys):
    assert main([str(tmp_path / "t.xlsx")]) == 0
    assert (tmp_path / "t.xlsx").exists()
    assert main(["--docs", str(tmp_path / "f.md")]) == 0
    assert (tmp_path / "f.md").read_text(encoding="utf-8") == format_markdown()


def _schema_words() -> set[str]:
    words = set()
    for sh in schema.SHEETS:
        words |= {sh.name, *sh.aliases}
        for f in sh.fields:
            words |= {f.header, *f.aliases}
    for enum in schema.ENUMERATIONS.values():
        words |= set(enum.values) | set(enum.aliases)
    return {w for w in words if not w.isascii()}


@pytest.mark.parametrize("module", ["submission_template.py", "samples.py"])
def test_no_schema_word_spelled_as_a_literal(module):
    """Headers, sheet names, enumeration values and their aliases come from reportgen.schema."""
    tree = ast.parse((REPO / "reportgen" / module).read_text(encoding="utf-8"))
    words = _schema_words()
    joined = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    literals = [n.value for n in ast.walk(tree)
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in joined]
    found = sorted({s for s in literals if s in words})
    assert not found, found
