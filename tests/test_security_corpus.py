"""Hostile and broken inputs (tests/hostile.py): each gets one clear Chinese 错误 line for its file
or is read safely; the good files beside them are still analysed; memory stays bounded."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import fastexcel
import pytest

import hostile
from conftest import valid_sheets, write_workbook
from reportgen.config import Config, Limits
from reportgen.ingest import discover as disc
from reportgen.ingest import load

TESTS = Path(__file__).resolve().parent
GOOD_MEMBERS = 4


def _folder(tmp_path: Path, name: str) -> Path:
    root = tmp_path / "2026Q3"
    write_workbook(root / "good.xlsx", valid_sheets())
    make, _ = hostile.CORPUS[name]
    make(root / name)
    return root


@pytest.mark.parametrize("name", list(hostile.CORPUS))
def test_each_corpus_file_gets_one_line_or_a_safe_read(tmp_path, name):
    expected = hostile.CORPUS[name][1]
    ds = load(_folder(tmp_path, name), period="2026Q3")
    lines = ds.issues[ds.issues["file"] == name]
    assert not lines["message"].str.contains("Traceback|Error|Exception", regex=True).any()
    status = ds.files.set_index("file").loc[name, "status"]
    if expected is None:
        assert status == "已读取", lines.to_dict("records")
        assert not lines["rule"].str.startswith("file.").any()
    else:
        assert len(lines) == 1, lines.to_dict("records")
        line = lines.iloc[0]
        assert (line["rule"], line["severity"]) == (expected, "错误")
        assert line["sheet"] == "" and "请" in line["message"]
    good = ds.members[ds.members["_file"] == "good.xlsx"] if "_file" in ds.members else ds.members
    assert len(good) == GOOD_MEMBERS  # the good file beside it is analysed


def test_entity_files_say_why(tmp_path):
    for name in ("实体膨胀_工作表.xlsx", "外部实体_共享字符串.xlsx"):
        ds = load(_folder(tmp_path / name, name), period="2026Q3")
        msg = ds.issues.loc[ds.issues["file"] == name, "message"].iloc[0]
        assert "XML 实体" in msg and "/etc/passwd" not in msg and "root:" not in msg


def test_bomb_that_lies_about_its_size_never_reaches_the_parser(tmp_path, monkeypatch):
    root = _folder(tmp_path, "炸弹_虚报大小.xlsx")
    real = fastexcel.read_excel

    def guarded(source):
        if isinstance(source, (str, Path)) and Path(source).name.startswith("炸弹"):
            raise AssertionError("the bomb was handed to the parser")
        return real(source)

    monkeypatch.setattr(fastexcel, "read_excel", guarded)
    bomb = root / "炸弹_虚报大小.xlsx"
    assert bomb.stat().st_size < 200_000
    sniffed = disc.sniff(bomb, Limits())
    assert sniffed.rule == "file.too_large" and "声明" in sniffed.detail
    ds = load(root, period="2026Q3")
    assert ds.issues.loc[ds.issues["file"] == bomb.name, "rule"].tolist() == ["file.too_large"]
    assert len(ds.members) == GOOD_MEMBERS


def test_ratio_and_total_guards_each_trigger_on_both_bombs(tmp_path):
    ratio = hostile.zip_bomb_ratio(tmp_path / "ratio.xlsx")
    claimed = hostile.zip_bomb_claimed(tmp_path / "claimed.xlsx")
    lenient = Limits(max_compression_ratio=1e12)
    # the ratio guard (default limits) catches the real-deflate bomb; the total guard the claim
    assert "压缩比" in disc.sniff(ratio, Limits()).detail
    assert "解压后大小" in disc.sniff(claimed, Limits()).detail
    # each guard alone: total only (ratio lifted), ratio only (total lifted)
    assert "解压后大小" in disc.sniff(ratio, Limits(max_compression_ratio=1e12, max_uncompressed_mb=10)).detail
    assert "解压后大小" in disc.sniff(claimed, lenient).detail
    assert "压缩比" in disc.sniff(claimed, Limits(max_uncompressed_mb=1e9)).detail
    assert disc.sniff(ratio, Limits(max_compression_ratio=1e12, max_uncompressed_mb=100)).kind == "xlsx"


def test_cell_length_limit_is_configurable(tmp_path):
    root = _folder(tmp_path, "超长单元格.xlsx")
    ds = load(root, period="2026Q3", config=Config(limits=Limits(max_cell_chars=1_000_000)))
    assert ds.files.set_index("file").loc["超长单元格.xlsx", "status"] == "已读取"
    ds = load(root, period="2026Q3")
    msg = ds.issues.loc[ds.issues["file"] == "超长单元格.xlsx", "message"].iloc[0]
    assert "32767" in msg and "字符" in msg


def test_row_limit_is_configurable(tmp_path):
    root = tmp_path / "2026Q3"
    write_workbook(root / "good.xlsx", valid_sheets())
    ds = load(root, period="2026Q3", config=Config(limits=Limits(max_rows_per_sheet=3)))
    line = ds.issues.iloc[0]
    assert line["rule"] == "file.too_large" and "超过上限 3 行" in line["message"]


def test_hostile_texts_are_kept_as_text(tmp_path):
    root = tmp_path / "2026Q3"
    hostile.hostile_data(root / "恶意文字.xlsx")
    ds = load(root, period="2026Q3")
    names = set(ds.members["name"].dropna())
    assert {"+1+2", "-3+4", "@SUM(1,2)", "{{ 7*7 }}", "𠀀明", "王𪚥", "李😀"} <= names
    assert "=HYPERLINK(\"http://example.invalid\",\"第二支部\")" in set(ds.orgs["name"])


def test_cached_formula_values_are_read(tmp_path):
    root = tmp_path / "2026Q3"
    hostile.cached_formulas(root / "公式.xlsx")
    ds = load(root, period="2026Q3")
    assert ds.issues.loc[ds.issues["file"] == "公式.xlsx", "rule"].tolist() == ["set.unknown_org"]
    rows = ds.issues[ds.issues["file"] == "公式.xlsx"]
    assert rows["value"].iloc[0] == "A0101"  # the cached value, not the formula text


_WHOLE = textwrap.dedent("""
    import json, resource, sys, time
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    import hostile, conftest
    root = Path({root!r})
    expected = hostile.write_corpus(root)
    import hashlib
    first = {{}}
    for name in sorted(expected):  # the same bytes under another name are read once (SPEC §2)
        digest = hashlib.sha256((root / name).read_bytes()).digest()
        if first.setdefault(digest, name) != name:
            expected[name] = "file.duplicate"
    hostile.write_million_rows(root / "百万行.xlsx")
    conftest.write_workbook(root / "good.xlsx", conftest.valid_sheets())
    from reportgen import api
    start = time.perf_counter()
    result = api.build(root, out=root.parent / "out", period="2026Q3")
    wall = time.perf_counter() - start
    ds = result.dataset
    files = ds.files.set_index("file")["status"].to_dict()
    errors = ds.issues[ds.issues["rule"].str.startswith("file.")].groupby("file")["rule"].apply(list).to_dict()
    print(json.dumps({{"wall": wall, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "expected": expected, "files": files, "file_errors": errors,
                      "members": len(ds.members), "report": result.report.is_file()}}))
""")


def test_whole_corpus_with_a_million_row_sheet_builds_in_bounded_memory(tmp_path):
    """The whole corpus, a sheet of 1,048,576 rows and a good workbook in one folder: the build
    completes, every bad file has its line, the good rows are analysed; peak memory < 1.5 GB."""
    root = tmp_path / "2026Q3"
    code = _WHOLE.format(tests=str(TESTS), root=str(root))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"whole corpus build: {out['wall']:.1f} s, peak {out['peak_mb']:.0f} MB")
    assert out["report"]
    for name, rule in out["expected"].items():
        if rule is None:
            assert out["files"][name] == "已读取", name
        else:
            assert out["file_errors"].get(name) == [rule], (name, out["file_errors"].get(name))
    assert out["files"]["百万行.xlsx"] == "已读取"
    assert out["members"] >= 1_048_575 + GOOD_MEMBERS
    assert out["peak_mb"] < 1536


def test_cell_length_limit_counts_characters_not_bytes(tmp_path):
    """The length guard looks at bytes first (cheap) but decides on characters: 12,000 汉字 are
    36,000 UTF-8 bytes, over Excel's 32,767, and still a cell Excel can hold."""
    import random

    root = tmp_path / "2026Q3"
    root.mkdir()
    rng = random.Random(5)
    for name, n in (("长姓名.xlsx", 12_000), ("超长姓名.xlsx", 33_000)):
        text = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(n))
        hostile.raw_xlsx(root / name, hostile.SHEET_HEAD.format(dtd="") + hostile._member_header_row()
                         + f'<row r="2">{hostile._cell("A2", text)}</row>' + hostile.SHEET_TAIL)
    ds = load(root, period="2026Q3")
    status = ds.files.set_index("file")["status"]
    assert status["长姓名.xlsx"] == "已读取"
    assert status["超长姓名.xlsx"] != "已读取"
    msg = ds.issues.loc[ds.issues["file"] == "超长姓名.xlsx", "message"].iloc[0]
    assert "33000 个字符" in msg
