"""The previous period (--previous) is read and checked like the current one: never a comparison
with zero, nor with the current period itself; a period that is not the quarter before is named;
its problems and reconciliation are in validation.xlsx (上期问题, 上期核对)."""

from __future__ import annotations

import re
import shutil

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import valid_sheets, write_workbook
from reportgen import api, schema
from reportgen.cli import app

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}
COMPARED = re.compile(r"比上季度(增加|减少)|与上季度持平|比上季度(提高|降低|多|少)")


def _cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


def _report_text(path) -> str:
    d = docx.Document(path)
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def _sheets_without(n_members_dropped: int = 1) -> dict:
    sheets = valid_sheets()
    m = sheets[schema.MEMBERS.name]
    del m[1:1 + n_members_dropped]
    return sheets


@pytest.fixture
def current(tmp_path):
    root = tmp_path / "2026Q3"
    write_workbook(root / "本期.xlsx", valid_sheets())
    return root


def _build(current, previous, out, *extra):
    r = _cli("build", current, "--period", "2026Q3", "--previous", previous, "-o", out, *extra)
    assert r.exit_code == 0, r.output
    return r


def test_a_proper_previous_quarter_is_compared_and_checked(tmp_path, current):
    """The control for the tests below: with the quarter before, the report compares."""
    prev = tmp_path / "2026Q2"
    write_workbook(prev / "上期.xlsx", _sheets_without(1))
    r = _build(current, prev, tmp_path / "out")
    text = _report_text(tmp_path / "out" / "report.docx")
    assert "比上季度增加1名" in text  # 4 members now, 3 then
    assert "注意" not in r.output
    wb = openpyxl.load_workbook(tmp_path / "out" / "validation.xlsx")
    assert wb.sheetnames == ["问题清单", "文件汇总", "核对", "上期问题", "上期核对"]
    rec = [[c.value for c in row] for row in wb["上期核对"].iter_rows(min_row=2)]
    assert rec[0][0] == "上期.xlsx" and rec[-1][0] == "合计"
    assert "上期数据（2026年第二季度）" in r.stdout


@pytest.mark.parametrize("kind", ["empty", "garbage", "no_members"])
def test_a_previous_set_with_nothing_usable_gives_no_comparison(tmp_path, current, kind):
    prev = tmp_path / "上期"
    prev.mkdir()
    if kind == "garbage":
        (prev / "坏文件.xlsx").write_bytes(b"this is not a workbook")
        (prev / "说明.txt").write_text("无关的文件", encoding="utf-8")
    elif kind == "no_members":
        sheets = valid_sheets()
        write_workbook(prev / "只有组织.xlsx", {schema.ORGS.name: sheets[schema.ORGS.name]})
    r = _build(current, prev, tmp_path / "out")
    text = _report_text(tmp_path / "out" / "report.docx")
    assert not COMPARED.search(text), COMPARED.search(text)
    assert "党员4名" in text or "4名" in text
    assert "上期数据（“上期”）中无可用数据，本报告不作与上期的比较" in text  # 数据说明
    assert "注意" in r.stderr and "上期" in r.stderr and "不作与上期的比较" in r.stderr
    wb = openpyxl.load_workbook(tmp_path / "out" / "validation.xlsx")
    assert "上期问题" in wb.sheetnames
    first = [c.value for c in wb["上期问题"][2]]
    assert first[0] == "上期" and "不作与上期的比较" in first[7] and first[5] == "警告"


def test_the_current_folder_as_previous_is_a_warning_and_no_comparison(tmp_path, current):
    r = _build(current, current, tmp_path / "out")
    assert "就是本期的报送文件夹" in r.stderr
    text = _report_text(tmp_path / "out" / "report.docx")
    assert not COMPARED.search(text)
    assert "指定的上期数据就是本期数据" in text


def test_a_copy_of_the_current_quarter_is_a_warning_and_no_comparison(tmp_path, current):
    copy = tmp_path / "备份" / "2026Q3"
    shutil.copytree(current, copy)
    r = _build(current, copy, tmp_path / "out")
    assert "统计期是2026年第三季度，与本期2026年第三季度相同" in r.stderr
    text = _report_text(tmp_path / "out" / "report.docx")
    assert not COMPARED.search(text)
    assert "指定的上期数据与本期同为2026年第三季度，本报告不作与上期的比较" in text
    # its rows are all still checked: none silently dropped
    wb = openpyxl.load_workbook(tmp_path / "out" / "validation.xlsx")
    total = [c.value for c in list(wb["上期核对"].iter_rows())[-1]]
    assert total[0] == "合计" and total[2] == total[3] > 0


def test_a_quarter_that_is_not_the_one_before_is_named(tmp_path, current):
    prev = tmp_path / "2026Q1"
    write_workbook(prev / "一季度.xlsx", _sheets_without(2))
    r = _build(current, prev, tmp_path / "out")
    assert "2026年第一季度" in r.stderr and "2026年第三季度" in r.stderr and "2026年第二季度" in r.stderr
    text = _report_text(tmp_path / "out" / "report.docx")
    assert not COMPARED.search(text)
    assert re.search(r"共有党员4名，比2026年第一季度增加\d名", text)
    assert "上期数据为2026年第一季度报送的数据，不是上一季度（2026年第二季度）的数据" in text
    wb = openpyxl.load_workbook(tmp_path / "out" / "validation.xlsx")
    note = [c.value for c in wb["上期问题"][2]]
    assert "2026年第一季度" in note[7] and "2026年第三季度" in note[7]


def test_a_later_quarter_is_not_compared(tmp_path, current):
    prev = tmp_path / "2026Q4"
    write_workbook(prev / "四季度.xlsx", _sheets_without(1))
    r = _build(current, prev, tmp_path / "out")
    assert "晚于本期" in r.stderr
    assert not COMPARED.search(_report_text(tmp_path / "out" / "report.docx"))


def test_the_previous_sets_errors_are_in_validation_xlsx(tmp_path, current):
    prev = tmp_path / "2026Q2"
    sheets = valid_sheets()
    m = sheets[schema.MEMBERS.name]
    m[2][m[0].index(schema.MEMBERS.header("org_id"))] = "不存在的支部"  # Excel row 3: no such organization
    m[3][m[0].index(schema.MEMBERS.header("education"))] = "私塾"  # Excel row 4: not a level
    write_workbook(prev / "上期有错.xlsx", sheets)
    expected = api.load(prev, period="2026Q2").issues
    assert len(expected) >= 2
    r = _build(current, prev, tmp_path / "out")
    assert "上期问题" in r.stdout
    wb = openpyxl.load_workbook(tmp_path / "out" / "validation.xlsx")
    ws = wb["上期问题"]
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    assert len(rows) == len(expected)
    got = {(r["文件"], r["行号"], r["规则"]) for r in rows}
    assert {(f, int(n), rule) for f, n, rule in zip(expected["file"], expected["row"], expected["rule"])} == got
    assert ("上期有错.xlsx", 3) in {(f, n) for f, n, _ in got} and ("上期有错.xlsx", 4) in {(f, n) for f, n, _ in got}
    assert all(r["文件"] != "本期.xlsx" for r in rows)
    # the current period's own sheet does not hold them
    assert all(c.value != "上期有错.xlsx" for row in wb["问题清单"].iter_rows() for c in row)


def test_context_json_with_an_unusable_previous_has_no_deltas(tmp_path, current):
    prev = tmp_path / "空"
    prev.mkdir()
    r = _cli("context", current, "--period", "2026Q3", "--previous", prev)
    assert r.exit_code == 0, r.output
    assert "注意" in r.stderr
    import json

    data = json.loads(r.stdout)
    assert data["has_previous"] is False and "total_delta" not in data["members"]


def test_by_area_an_area_new_this_period_is_not_compared_with_zero(tmp_path, current):
    prev = tmp_path / "2026Q2"
    sheets = valid_sheets()
    o = sheets[schema.ORGS.name]
    o[3][o[0].index(schema.ORGS.header("area"))] = "城东街道"  # 城西街道 did not exist last quarter
    write_workbook(prev / "上期.xlsx", sheets)
    result = api.build(current, out=tmp_path / "out", period="2026Q3", previous=prev, by="area")
    west = _report_text(result.parts["城西街道"].report)
    assert not COMPARED.search(west)
    assert "上期数据中没有“城西街道”的数据" in west
    assert result.parts["城东街道"].indicators.previous is not None
