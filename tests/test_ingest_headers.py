"""Sheets and headers: names, aliases, title rows, two-row merged headers, unknown and duplicate
columns, the cover sheet."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from conftest import person_id, valid_sheets, write_workbook
from reportgen import schema
from reportgen.config import Limits
from reportgen.ingest import headers as hdr
from reportgen.ingest import load
from reportgen.ingest.read import read_file


def test_normalize_header():
    assert hdr.normalize_header(" *姓 名（必填）") == hdr.normalize_header("姓名")
    assert hdr.normalize_header("出生\n日期") == hdr.normalize_header("出生日期")
    assert hdr.normalize_header("公民身份号码\u3000") == hdr.normalize_header("公民身份号码")
    assert hdr.normalize_header("所在党组织编码／名称") == hdr.normalize_header("所在党组织编码/名称")
    assert hdr.match_field("orgs", "任期年数(年)") == "term_years"
    assert hdr.match_field("members", "学历[必填]") == "education"
    assert hdr.match_field("members", "身份证号码：") == "id_number"
    assert hdr.match_field("members", "备注") is None


def test_aliases_are_per_sheet():
    # 组织名称 is the organization's name on 党组织 but the unit's name on 两新组织
    assert hdr.match_field("orgs", "组织名称") == "name"
    assert hdr.match_field("units", "组织名称") == "unit_name"
    # 换届时间 is 本届选举日期 on 党组织 and 选举日期 on 换届选举
    assert hdr.match_field("orgs", "换届时间") == "last_election"
    assert hdr.match_field("elections", "换届时间") == "date"


def test_sheet_names_and_aliases():
    for sheet in schema.SHEETS:
        for name in sheet.names:
            assert hdr.match_sheet_name(name) is sheet
            assert hdr.match_sheet_name(f" {name} ") is sheet
    assert hdr.match_sheet_name("填报说明") is None


@pytest.mark.parametrize("sheet", schema.DATA_SHEETS, ids=lambda s: s.key)
def test_every_alias_of_every_sheet_is_recognised(tmp_path, sheet):
    depth = max(len(f.headers) for f in sheet.fields)
    for k in range(depth):
        headers = [f.headers[min(k, len(f.headers) - 1)] for f in sheet.fields]
        values = [f"v{i}" for i in range(len(headers))]
        path = write_workbook(tmp_path / f"{sheet.key}_{k}.xlsx", {sheet.name: [headers, values]})
        result = read_file(path, path.name, Limits())
        assert not result.issues, (k, result.issues)
        (raw,) = result.sheets
        assert raw.key == sheet.key
        assert set(raw.headers) == set(sheet.keys), k
        for i, f in enumerate(sheet.fields):  # each value arrived under its own field
            assert raw.data[f.key].iloc[0] == f"v{i}"
            assert raw.headers[f.key] == headers[i]


def test_sheet_recognised_by_its_header_row(wb):
    sheets = valid_sheets()
    folder = wb("a.xlsx", {"Sheet1": sheets[schema.MEMBERS.name], "Sheet2": sheets[schema.ORGS.name],
                           "填报说明": [["请按模板填写"], ["1. 日期写成 2010-05-01"]],
                           "统计": [["合计", 3], ["平均", 1]]})
    ds = load(folder, period="2026Q3")
    assert len(ds.members) == 4 and len(ds.orgs) == 3
    # the two unrelated sheets are not read, each with a 已跳过 line saying why (contract of
    # issue 16: nothing in a workbook is skipped without a line), and no error or warning
    assert set(ds.issues["severity"]) == {"已跳过"}
    assert dict(zip(ds.issues["sheet"], ds.issues["rule"])) == {
        "填报说明": "sheet.skipped_instructions", "统计": "sheet.skipped_other"}
    assert set(ds.members["_sheet"]) == {"Sheet1"}


def test_title_rows_above_the_header_and_row_numbers(wb):
    rows = valid_sheets()[schema.MEMBERS.name]
    rows = [["示例街道党员花名册"], ["填报单位：示例街道", None, "截止：2026-09-30"], [], *rows]
    rows[5][rows[3].index(schema.MEMBERS.header("education"))] = "高级"  # second member, Excel row 6
    folder = wb("a.xlsx", {schema.MEMBERS.name: rows, schema.ORGS.name: valid_sheets()[schema.ORGS.name]})
    ds = load(folder, period="2026Q3")
    (bad,) = ds.issues.itertuples()
    assert (bad.rule, bad.row, bad.column, bad.value) == ("row.enum", 6, "学历", "高级")
    assert ds.members["_row"].tolist() == [5, 6, 7, 8]  # row 6 is counted, its 学历 unknown (SPEC §2)
    assert ds.members.set_index("_row")["education"].isna().tolist() == [False, True, False, False]


def _merged_header_book(path: Path, shape: str) -> Path:
    """A members sheet whose header spans two rows, as exported by many systems."""
    sheets = valid_sheets()
    members = sheets[schema.MEMBERS.name]
    heads, data = members[0], members[1:]
    wbk = openpyxl.Workbook()
    ws = wbk.active
    ws.title = schema.MEMBERS.name
    ws.append(["示例街道党员花名册"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(heads))
    if shape == "groups":  # row 2: group titles over row 3: the real headers
        ws.append(["基本信息", None, None, None, None, "党籍信息"] + [None] * (len(heads) - 6))
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=5)
        ws.merge_cells(start_row=2, start_column=6, end_row=2, end_column=len(heads))
        ws.append(heads)
    else:  # "vertical": some headers merged down over a blank cell, others under a group title
        top = list(heads)
        bottom = [None] * len(heads)
        top[2], top[3] = "基本情况", None  # 性别, 民族 sit under a group title
        bottom[2], bottom[3] = heads[2], heads[3]
        ws.append(top)
        ws.append(bottom)
        for col in range(1, len(heads) + 1):
            if col not in (3, 4):
                ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
        ws.merge_cells(start_row=2, start_column=3, end_row=2, end_column=4)
    for row in data:
        ws.append(row)
    orgs = wbk.create_sheet(schema.ORGS.name)
    for row in sheets[schema.ORGS.name]:
        orgs.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wbk.save(path)
    return path


@pytest.mark.parametrize("shape", ["groups", "vertical"])
def test_two_row_merged_headers(tmp_path, shape):
    path = _merged_header_book(tmp_path / "2026Q3" / "m.xlsx", shape)
    ds = load(path.parent, period="2026Q3")
    assert ds.issues.empty, ds.issues.to_dict("records")
    assert len(ds.members) == 4
    assert ds.members["_row"].tolist() == [4, 5, 6, 7]
    assert ds.members["gender"].astype(str).tolist() == ["男", "女", "男", "女"]
    assert ds.members["ethnicity"].isna().all()


def test_unknown_duplicate_and_ignored_columns(wb):
    sheets = valid_sheets()
    members = [list(r) for r in sheets[schema.MEMBERS.name]]
    members[0] = ["序号", *members[0], "自定义栏", "学历", "党龄"]  # 党龄: a known column of other layouts
    for i, r in enumerate(members[1:], start=1):
        members[i] = [i, *r, f"备注{i}", "小学", 10]
    folder = wb("a.xlsx", {schema.MEMBERS.name: members, schema.ORGS.name: sheets[schema.ORGS.name]})
    ds = load(folder, period="2026Q3")
    rules = ds.issues.set_index("rule")
    assert set(ds.issues["rule"]) == {"sheet.unknown_column", "sheet.duplicate_header"}
    assert rules.loc["sheet.unknown_column", "column"] == "自定义栏"  # once per sheet, 序号 silently ignored
    assert rules.loc["sheet.duplicate_header", "column"] == "学历"
    assert ds.members["extra:自定义栏"].tolist() == ["备注1", "备注2", "备注3", "备注4"]
    assert ds.members["extra:党龄"].tolist() == ["10"] * 4  # kept, without a warning
    assert "大学本科" in ds.members["education"].astype(str).tolist()  # the first 学历 column wins
    assert not any(c.startswith("extra:序号") for c in ds.members.columns)


def test_named_sheet_without_header(wb):
    sheets = valid_sheets()
    folder = wb("a.xlsx", {schema.ORGS.name: sheets[schema.ORGS.name],
                           schema.ELECTIONS.name: [["说明：本季度无换届"], ["A0101", "2026-08-01", 30]]})
    ds = load(folder, period="2026Q3")
    (line,) = ds.issues.itertuples()
    assert (line.rule, line.sheet, line.severity) == ("sheet.no_header", schema.ELECTIONS.name, "错误")
    rec = ds.reconciliation.set_index("sheet").loc[schema.ELECTIONS.name]
    assert (rec["rows_read"], rec["rows_used"], rec["rows_left_out"]) == (2, 0, 2)


def test_sheet_with_header_and_no_rows_is_fine(wb):
    sheets = valid_sheets()
    folder = wb("a.xlsx", {schema.ORGS.name: sheets[schema.ORGS.name],
                           schema.ELECTIONS.name: [sheets[schema.ELECTIONS.name][0]],
                           schema.COMMITTEE.name: []})
    ds = load(folder, period="2026Q3")
    assert ds.issues.empty
    assert len(ds.elections) == 0
    rec = ds.reconciliation.set_index("sheet")
    assert rec.loc[schema.ELECTIONS.name, "rows_read"] == 0


def test_hidden_sheets(wb):
    sheets = valid_sheets()
    lists = [[schema.MEMBERS.header("gender"), schema.MEMBERS.header("education"),
              schema.MEMBERS.header("status"), schema.MEMBERS.header("occupation")], ["男", "研究生", "正式党员", "工人"]]
    folder = wb("a.xlsx", {schema.ORGS.name: sheets[schema.ORGS.name], "下拉选项": lists,
                           schema.MEMBERS.name: sheets[schema.MEMBERS.name]},
                hidden=["下拉选项", schema.MEMBERS.name])
    ds = load(folder, period="2026Q3")
    # the hidden list sheet is not taken for a roster: skipped with a line (issue 16); the hidden
    # sheet named as a data sheet is still read, with a warning naming it (SPEC §2, issue 17)
    assert len(ds.members) == 4
    lines = dict(zip(ds.issues["sheet"], ds.issues["rule"]))
    assert lines == {"下拉选项": "sheet.skipped_dictionary", schema.MEMBERS.name: "sheet.hidden_read"}
    assert ds.error_count == 0


def test_cover_sheet_key_value(wb):
    sheets = valid_sheets()
    cover = [["报送情况表"], ["填报单位", None, "示例区城东街道党工委"], ["统计期", "2026年第三季度"],
             ["截止日期"], ["2026-09-20"], ["填报人：王五"]]
    folder = wb("a.xlsx", {schema.COVER.name: cover, **sheets})
    ds = load(folder)
    assert ds.period.label == "2026Q3"
    assert ds.meta["units"] == ["示例区城东街道党工委"]
    assert str(ds.meta["as_of"]) == "2026-09-20" and str(ds.as_of) == "2026-09-20"
    assert ds.issues.empty


def test_cover_values():
    grid = [["填报单位：示例街道", None], ["统计期", None, "2026Q3"], ["截止日期", "联系电话"], ["2026-09-30", "13800000000"]]
    got = hdr.cover_values(grid)
    assert got["unit"] == ("示例街道", 1)
    assert got["period"] == ("2026Q3", 2)
    assert got["as_of"] == ("2026-09-30", 4)
    assert got["contact_phone"] == ("13800000000", 4)


def test_members_name_their_org_by_name(wb):
    sheets = valid_sheets()
    ds = load(wb("a.xlsx", sheets), period="2026Q3")
    assert ds.members.set_index("name").loc["丙三", "org_id"] == "A0102"  # written as 示例第二支部
    assert person_id("20000220", True, 3) in set(ds.members["id_number"])
