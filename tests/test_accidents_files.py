"""Everyday accidents of an office that must not change the figures silently (issue 17): the same
workbooks again in a 备份 folder or as "- 副本" copies, the output folder inside the input folder,
reportgen's own outputs copied among the submissions, a file name that is not UTF-8, a CSV with a
title line, symbolic links (loops, a folder linked twice), an unreadable folder."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import openpyxl
import pytest

from conftest import valid_sheets, write_csv, write_workbook
from reportgen import api, compute, schema
from reportgen.config import Limits
from reportgen.ingest import discover as disc
from reportgen.ingest import load
from reportgen.outputs import OUTPUT_CATEGORY
from reportgen.submission_template import write_template
from reportgen.validate.catalog import ERROR, SKIPPED
from reportgen.validate.workbook import SHEET_FILES, SHEET_ISSUES, write_validation_xlsx

SAMPLE = Path(__file__).resolve().parent.parent / "data_samples" / "2026Q3"
FIGURES = ("elections.held", "coverage.units", "members.total", "orgs.total", "committee.size",
           "development.total", "quality.rows_read", "quality.rows_used")
GOOD_MEMBERS = 4

needs_symlinks = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")


def figures(ds) -> dict:
    ind = compute(ds)
    return {k: ind[k] for k in FIGURES}


def lines(ds, rule: str):
    return ds.issues[ds.issues["rule"] == rule]


def status(ds, file: str) -> str:
    return ds.files.set_index("file").loc[file, "status"]


@pytest.fixture(scope="module")
def sample_figures():
    ds = load(SAMPLE, period="2026Q3")
    values = figures(ds)
    assert values["elections.held"] > 0 and values["coverage.units"] > 0
    return values


def copy_sample(tmp_path: Path) -> Path:
    root = tmp_path / "2026Q3"
    shutil.copytree(SAMPLE, root)
    return root


def submissions(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.suffix in (".xlsx", ".xls", ".csv"))


# --------------------------------------------------------------------------- identical files

def test_backup_folder_of_the_same_workbooks_changes_nothing(tmp_path, sample_figures):
    root = copy_sample(tmp_path)
    originals = submissions(root)
    (root / "备份").mkdir()
    for p in originals:
        shutil.copy2(p, root / "备份" / p.name)
    ds = load(root, period="2026Q3")
    assert figures(ds) == sample_figures
    dup = lines(ds, "file.duplicate")
    assert sorted(dup["file"]) == sorted(f"备份/{p.name}" for p in originals)  # one line per copy
    assert set(dup["severity"]) == {SKIPPED}
    for _, line in dup.iterrows():
        kept = line["file"].removeprefix("备份/")
        assert f"“{line['file']}”" in line["message"] and f"“{kept}”" in line["message"]
        assert status(ds, line["file"]) == f"已跳过（与“{kept}”内容相同）"
        assert status(ds, kept) == "已读取"
    # a skipped file is not read: no rows of it anywhere
    assert not ds.reconciliation["file"].str.startswith("备份/").any()
    assert not ds.members["_file"].str.startswith("备份/").any()
    assert ds.error_count == load(SAMPLE, period="2026Q3").error_count


def test_copy_named_fu_ben_keeps_the_original(tmp_path, sample_figures):
    root = copy_sample(tmp_path)
    units = next(p for p in submissions(root) if "两新" in p.name)
    copy = units.with_name(f"{units.stem} - 副本{units.suffix}")  # sorts before the original
    shutil.copy2(units, copy)
    ds = load(root, period="2026Q3")
    assert figures(ds) == sample_figures
    line = lines(ds, "file.duplicate")
    assert line["file"].tolist() == [copy.name]
    assert units.name in line["message"].iloc[0]
    assert status(ds, units.name) == "已读取"
    assert set(ds.units["_file"]) == {units.name}  # rows point at the original, not at the copy


def test_same_size_different_bytes_are_both_read(tmp_path, monkeypatch):
    root = tmp_path / "2026Q3"
    a = write_csv(root / "a.csv", valid_sheets()[schema.MEMBERS.name])
    rows = [list(r) for r in valid_sheets()[schema.MEMBERS.name]]
    rows[1][0] = "甲壹"  # same length in UTF-8, other bytes
    b = write_csv(root / "b.csv", rows)
    assert a.stat().st_size == b.stat().st_size
    write_workbook(root / "c.xlsx", valid_sheets())
    hashed = []
    real = disc._digest
    monkeypatch.setattr(disc, "_digest", lambda p: hashed.append(p.name) or real(p))
    ds = load(root, period="2026Q3")
    assert lines(ds, "file.duplicate").empty
    assert sorted(hashed) == ["a.csv", "b.csv"]  # only files of equal size are hashed
    assert status(ds, "a.csv") == status(ds, "b.csv") == "已读取"
    assert set(ds.reconciliation["file"]) == {"a.csv", "b.csv", "c.xlsx"}


# --------------------------------------------------------------------------- our own outputs

@pytest.fixture(scope="module")
def built_twice(tmp_path_factory):
    root = copy_sample(tmp_path_factory.mktemp("inside"))
    out = root / "输出"
    first = api.build(root, out=out, period="2026Q3")
    second = api.build(root, out=out, period="2026Q3")
    return root, out, first, second


def test_output_folder_inside_the_input_is_not_read_back(built_twice, sample_figures):
    root, out, first, second = built_twice
    assert (out / "tables.xlsx").is_file() and (out / "validation.xlsx").is_file()
    assert figures(first.dataset) == sample_figures
    assert figures(second.dataset) == figures(first.dataset)
    line = lines(second.dataset, "file.output_folder")
    assert line["file"].tolist() == ["输出/"]
    assert line["severity"].iloc[0] == SKIPPED and "输出" in line["message"].iloc[0]
    listed = second.dataset.files["file"]
    assert listed[listed.str.startswith("输出/")].tolist() == ["输出/"]  # the folder's line, none of its files
    assert status(second.dataset, "输出/") == "已跳过（本次输出文件夹）"
    assert "输出/" not in set(first.dataset.files["file"])  # the first build found no output yet


def test_outputs_carry_the_mark_and_are_skipped_wherever_they_lie(built_twice, tmp_path, sample_figures):
    _, out, _, _ = built_twice
    root = copy_sample(tmp_path)
    (root / "上期").mkdir()
    shutil.copy2(out / "tables.xlsx", root / "统计表.xlsx")
    shutil.copy2(out / "validation.xlsx", root / "上期" / "validation.xlsx")
    shutil.copy2(out / "report.docx", root / "上期" / "报告.docx")
    for name in ("统计表.xlsx", "上期/validation.xlsx", "上期/报告.docx"):
        assert disc.sniff(root / name, Limits()).rule == "file.own_output", name
    ds = load(root, period="2026Q3")
    assert figures(ds) == sample_figures
    own = lines(ds, "file.own_output")
    assert sorted(own["file"]) == ["上期/validation.xlsx", "上期/报告.docx", "统计表.xlsx"]
    assert set(own["severity"]) == {SKIPPED}
    assert own["message"].str.contains("这是 reportgen 生成的输出文件，不作为报送数据读取").all()
    assert status(ds, "统计表.xlsx").startswith("已跳过")
    # without the mark the same workbook would have been read as submissions
    assert ds.error_count == load(SAMPLE, period="2026Q3").error_count


def test_the_blank_template_is_not_marked(tmp_path):
    root = tmp_path / "2026Q3"
    write_template(root / "模板.xlsx")
    write_workbook(root / "good.xlsx", valid_sheets())
    sniffed = disc.sniff(root / "模板.xlsx", Limits())
    assert sniffed.ok and sniffed.kind == "xlsx"
    ds = load(root, period="2026Q3")
    assert status(ds, "模板.xlsx") != "" and not status(ds, "模板.xlsx").startswith("已跳过")
    assert lines(ds, "file.own_output").empty
    assert OUTPUT_CATEGORY.encode() not in (root / "模板.xlsx").read_bytes()


# --------------------------------------------------------------------------- names

@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="names there are always Unicode")
def test_name_that_is_not_utf8_is_one_line_and_the_rest_is_read(tmp_path):
    root = tmp_path / "2026Q3"
    write_workbook(root / "good.xlsx", valid_sheets())
    staged = write_workbook(tmp_path / "staged.xlsx", {schema.UNITS.name: valid_sheets()[schema.UNITS.name]})
    bad = os.path.join(os.fsencode(root), "党员".encode("gbk") + b".xlsx")  # b'\xb5\xb3\xd4\xb1.xlsx'
    os.rename(os.fsencode(staged), bad)
    os.mkdir(os.path.join(os.fsencode(root), "支部".encode("gbk")))
    write_workbook(Path(os.fsdecode(os.path.join(os.fsencode(root), "支部".encode("gbk")))) / "x.xlsx",
                   valid_sheets())
    ds = load(root, period="2026Q3")
    found = lines(ds, "file.bad_name")
    assert found["file"].tolist() == ["\\xb5\\xb3\\xd4\\xb1.xlsx", "\\xd6\\xa7\\xb2\\xbf/"]
    assert set(found["severity"]) == {ERROR}
    msg = found["message"].iloc[0]
    assert "无法识别" in msg and "改名" in msg and "党员.xlsx" in msg  # the GBK guess
    assert len(ds.members) == GOOD_MEMBERS and len(ds.units) == 1  # good.xlsx only
    assert status(ds, "good.xlsx") == "已读取"
    # every output takes the printable name
    path = write_validation_xlsx(ds, tmp_path / "out" / "validation.xlsx")
    book = openpyxl.load_workbook(path)
    assert "\\xb5\\xb3\\xd4\\xb1.xlsx" in [c.value for c in book[SHEET_ISSUES]["A"]]
    assert "\\xb5\\xb3\\xd4\\xb1.xlsx" in [c.value for c in book[SHEET_FILES]["A"]]


# --------------------------------------------------------------------------- CSV title line

@pytest.mark.parametrize("name", ["党员花名册.csv", "系统导出.xls", "党员.txt"])
@pytest.mark.parametrize("sep", [",", "\t"])
def test_csv_with_a_title_line_is_read(tmp_path, name, sep):
    root = tmp_path / "2026Q3"
    write_workbook(root / "orgs.xlsx", {schema.ORGS.name: valid_sheets()[schema.ORGS.name]})
    rows = valid_sheets()[schema.MEMBERS.name]
    text = "示例区党员花名册\n" + "\n".join(sep.join("" if c is None else str(c) for c in r) for r in rows) + "\n"
    (root / name).write_bytes(text.encode("gbk"))
    ds = load(root, period="2026Q3")
    assert status(ds, name) == "已读取", ds.issues.to_dict("records")
    assert len(ds.members) == GOOD_MEMBERS
    rec = ds.reconciliation.set_index("file").loc[name]
    assert int(rec["rows_read"]) == GOOD_MEMBERS  # the title line is not a row
    assert sorted(ds.members["_row"]) == [3, 4, 5, 6]  # rows as the user sees them


# --------------------------------------------------------------------------- folders

@needs_symlinks
def test_symlink_loop_finishes_and_is_listed(tmp_path):
    root = tmp_path / "2026Q3"
    write_workbook(root / "a" / "good.xlsx", valid_sheets())
    (root / "a" / "回到上级").symlink_to(root, target_is_directory=True)
    (root / "a" / "自己").symlink_to(root / "a", target_is_directory=True)
    ds = load(root, period="2026Q3")
    assert len(ds.members) == GOOD_MEMBERS
    loops = lines(ds, "file.folder_link")
    assert sorted(loops["file"]) == ["a/回到上级/", "a/自己/"]
    assert loops["message"].str.contains("循环").all()
    assert set(loops["severity"]) == {SKIPPED}


@needs_symlinks
def test_folder_linked_twice_is_read_once(tmp_path, sample_figures):
    root = tmp_path / "2026Q3"
    shutil.copytree(SAMPLE, root / "zz_真实")
    (root / "aa_链接").symlink_to(root / "zz_真实", target_is_directory=True)  # sorts first
    ds = load(root, period="2026Q3")
    assert figures(ds) == sample_figures
    line = lines(ds, "file.folder_link")
    assert line["file"].tolist() == ["aa_链接/"]
    assert "zz_真实" in line["message"].iloc[0]
    assert ds.members["_file"].str.startswith("zz_真实/").all()  # read under its own name


@needs_symlinks
def test_linked_folder_outside_the_input_is_followed(tmp_path):
    root = tmp_path / "2026Q3"
    write_workbook(root / "orgs.xlsx", {schema.ORGS.name: valid_sheets()[schema.ORGS.name]})
    outside = tmp_path / "共享盘"
    write_workbook(outside / "members.xlsx", {schema.MEMBERS.name: valid_sheets()[schema.MEMBERS.name]})
    (root / "共享").symlink_to(outside, target_is_directory=True)
    (root / "失效链接.xlsx").symlink_to(tmp_path / "不存在.xlsx")
    ds = load(root, period="2026Q3")
    assert len(ds.members) == GOOD_MEMBERS
    assert status(ds, "共享/members.xlsx") == "已读取"
    broken = ds.issues[ds.issues["file"] == "失效链接.xlsx"]
    assert broken["rule"].tolist() == ["file.unreadable"] and "不存在" in broken["message"].iloc[0]


def test_unreadable_folder_is_listed(tmp_path, monkeypatch):
    root = tmp_path / "2026Q3"
    write_workbook(root / "good.xlsx", valid_sheets())
    write_workbook(root / "锁住" / "more.xlsx", valid_sheets())
    (root / "锁住").chmod(0)
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith("锁住"):  # chmod does not stop root, who runs the tests
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(disc.os, "scandir", scandir)
    try:
        ds = load(root, period="2026Q3")
    finally:
        (root / "锁住").chmod(0o755)
    line = lines(ds, "file.folder_unreadable")
    assert line["file"].tolist() == ["锁住/"]
    assert line["severity"].iloc[0] == ERROR
    assert "权限" in line["message"].iloc[0] and "没有读取" in line["message"].iloc[0]
    assert status(ds, "锁住/") != "已读取"
    assert len(ds.members) == GOOD_MEMBERS


def test_report_counts_the_files_read_not_the_copies(built_twice, tmp_path):
    root = copy_sample(tmp_path)
    shutil.copytree(root, tmp_path / "备份源")
    shutil.move(tmp_path / "备份源", root / "备份")
    from reportgen.render.context import report_context

    ds = load(root, period="2026Q3")
    assert len(lines(ds, "file.duplicate")) == len(submissions(root))
    sources = report_context(compute(ds))["sources"]
    assert sources["file_count"] == len(submissions(root))
    assert not any(f.startswith("备份/") for f in sources["files"])
    _, _, _, second = built_twice  # the output folder's line is not counted either
    assert report_context(second.indicators)["sources"]["file_count"] == len(submissions(SAMPLE))


def test_an_earlier_output_folder_anywhere_is_skipped_whole(built_twice, tmp_path, sample_figures):
    """A whole earlier output folder (charts included) copied into the input is recognised by
    reportgen's manifest and skipped as one line, so its PNG charts raise no errors."""
    _, out, _, _ = built_twice
    root = copy_sample(tmp_path)
    shutil.copytree(out, root / "上季度报告")
    assert any((root / "上季度报告" / "charts").glob("*.png"))
    ds = load(root, period="2026Q3")
    assert figures(ds) == sample_figures
    line = lines(ds, "file.output_folder")
    assert line["file"].tolist() == ["上季度报告/"]
    assert "以前生成的输出文件夹" in line["message"].iloc[0]
    assert ds.error_count == load(SAMPLE, period="2026Q3").error_count
