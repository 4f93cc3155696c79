"""ID and mobile numbers are masked in every column, every output and every stream (SPEC §2): an
ID typed into 姓名, 组织名称, 书记姓名 or 所属片区, an ID in a file name, mobile numbers in names;
through build (--by area, --previous, --debug), validate, explain and context, run as the real
command in a process of its own so that stdout, stderr and the log are the real ones."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from conftest import person_id, valid_sheets, write_workbook
from reportgen import schema
from reportgen.outputs import mask_arrow, mask_deep, mask_text, mask_texts, safe_filename

ROOT = Path(__file__).resolve().parents[1]

ID_NAME = person_id("19880808", True, 11)  # typed into a member's 姓名
ID_ORG = person_id("19770707", False, 12)  # into 组织名称
ID_SECRETARY = "990101760606123"  # a legacy 15-digit ID, into 书记姓名
ID_AREA = person_id("19660606", True, 13)  # into 所属片区: the --by area folder is named by it
ID_FILE = person_id("19550505", False, 14)  # in a workbook's file name
ID_BROKEN = person_id("19440404", True, 15)  # in the name of a damaged file (a file-level issue)
ID_PREVIOUS = person_id("19330303", False, 16)  # in the previous period's file name
MOBILE = "13812345678"  # inside a member's name
MOBILE_DASHED = "139-8765-4321"  # inside another member's name
MOBILE_SPACED = "+86 137 1122 3344"  # inside a member's and a committee member's name
SECRETS = [ID_NAME, ID_ORG, ID_SECRETARY, ID_AREA, ID_FILE, ID_BROKEN, ID_PREVIOUS, MOBILE,
           MOBILE_DASHED, MOBILE_SPACED]


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def _sheets() -> dict:
    sheets = valid_sheets()
    o, m, c = sheets[schema.ORGS.name], sheets[schema.MEMBERS.name], sheets[schema.COMMITTEE.name]
    oh, mh, ch = o[0], m[0], c[0]
    o[1][oh.index(schema.ORGS.header("area"))] = ID_AREA
    o[2][oh.index(schema.ORGS.header("area"))] = ID_AREA
    o[2][oh.index(schema.ORGS.header("secretary"))] = ID_SECRETARY
    o[3][oh.index(schema.ORGS.header("name"))] = ID_ORG
    m[1][mh.index(schema.MEMBERS.header("name"))] = ID_NAME
    m[2][mh.index(schema.MEMBERS.header("name"))] = f"乙二{MOBILE}"
    m[4][mh.index(schema.MEMBERS.header("name"))] = f"丁四 {MOBILE_DASHED}"
    m[3][mh.index(schema.MEMBERS.header("name"))] = f"丙三{MOBILE_SPACED}"
    m[3][mh.index(schema.MEMBERS.header("org_id"))] = "A0102"  # it was named by the organization's name
    c[1][ch.index(schema.COMMITTEE.header("name"))] = f"张书记{MOBILE_SPACED}"
    c[2][ch.index(schema.COMMITTEE.header("name"))] = f"张书记{MOBILE_SPACED}"
    return sheets


def _run(*args: object) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="200", NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "reportgen.cli", *map(str, args)], capture_output=True,
                          env=env, timeout=600)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("masking")
    data = base / "2026Q3"
    write_workbook(data / f"报送_{ID_FILE}.xlsx", _sheets())
    (data / f"损坏_{ID_BROKEN}.xlsx").write_bytes(b"PK\x03\x04 damaged")
    prev = base / "2026Q2"
    write_workbook(prev / f"上期_{ID_PREVIOUS}.xlsx", _sheets())
    out = base / "out"
    got = {
        "build": _run("--debug", "build", data, "-p", "2026Q3", "--previous", prev, "--by", "area",
                      "-o", out),
        "validate": _run("validate", data, "-p", "2026Q3", "-o", base / "vout"),
        "context": _run("context", data, "-p", "2026Q3", "--previous", prev),
        "explain orgs": _run("explain", "orgs.total", data, "-p", "2026Q3", "--rows", "50"),
        "explain members": _run("explain", "members.total", data, "-p", "2026Q3", "--rows", "50"),
        "explain committee": _run("explain", "committee.size", data, "-p", "2026Q3", "--rows", "50"),
        "explain by area": _run("explain", "members.by_area", data, "-p", "2026Q3"),
        # a user error with --debug: the path (holding an ID) is in the message and the log
        "debug error": _run("--debug", "build", base / f"没有_{ID_NAME}", "-o", base / "x"),
    }
    return {"base": base, "data": data, "out": out, "vout": base / "vout", "runs": got}


def _leaks(text: str) -> list[str]:
    """The secrets found in ``text``: as typed, and as bare digits once separators are dropped."""
    bare = re.sub(r"[ \-+]", "", text)
    return [s for s in SECRETS if s in text or _digits(s) in bare]


def _output_texts(folder: Path) -> dict[str, str]:
    """Every file under ``folder``: the parts of a zip (docx, xlsx) decoded, other files as bytes
    decoded, and the relative path itself."""
    texts = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        texts[f"path {rel}"] = rel
        if not p.is_file():
            continue
        if p.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(p) as z:
                for name in z.namelist():
                    texts[f"{rel}:{name}"] = name + "\n" + z.read(name).decode("utf-8", "replace")
        else:
            texts[rel] = p.read_bytes().decode("latin-1")
    return texts


def test_the_commands_ran(runs):
    r = runs["runs"]
    assert r["build"].returncode == 0, r["build"].stderr.decode()
    assert r["validate"].returncode == 1  # the damaged file is an error
    assert r["context"].returncode == 0, r["context"].stderr.decode()
    for key in ("explain orgs", "explain members", "explain committee", "explain by area"):
        assert r[key].returncode == 0, (key, r[key].stderr.decode())
    assert r["debug error"].returncode == 2


def test_the_data_really_holds_them(runs):
    """The control: the secrets are in the outputs, masked, where the data put them."""
    out = runs["out"]
    folders = [p.name for p in out.iterdir() if p.is_dir() and p.name != "charts"]
    area_folder = safe_filename(mask_text(ID_AREA))  # 990101________1376: no "*" in a folder name
    assert sorted(folders) == sorted([area_folder, "城西街道"])
    assert (out / area_folder / "report.docx").is_file()
    everything = "\n".join(_output_texts(out).values())
    for masked in (mask_text(ID_ORG), mask_text(ID_AREA), mask_text(ID_FILE), mask_text(ID_BROKEN),
                   mask_text(ID_PREVIOUS)):
        assert masked in everything, masked
    members = runs["runs"]["explain members"].stdout.decode()
    assert mask_text(ID_NAME) in members and "乙二138****5678" in members  # names are shown only here
    assert "139****4321" in members
    assert "丙三+86 137****3344" in members
    orgs = runs["runs"]["explain orgs"].stdout.decode()
    assert mask_text(ID_ORG) in orgs and mask_text(ID_AREA) in orgs and mask_text(ID_SECRETARY) in orgs
    ctx = json.loads(runs["runs"]["context"].stdout)
    assert ctx["has_previous"] is True
    assert mask_text(ID_AREA) in json.dumps(ctx, ensure_ascii=False)
    assert mask_text(ID_FILE) in runs["runs"]["build"].stdout.decode()


def test_no_output_file_or_folder_holds_an_unmasked_number(runs):
    for folder in (runs["out"], runs["vout"]):
        for where, text in _output_texts(folder).items():
            assert not _leaks(text), (where, _leaks(text))


def test_no_stream_holds_an_unmasked_number(runs):
    for name, r in runs["runs"].items():
        for stream in ("stdout", "stderr"):
            text = getattr(r, stream).decode("utf-8", "replace")
            assert not _leaks(text), (name, stream, _leaks(text), text[:2000])
    err = runs["runs"]["debug error"].stderr.decode()
    assert mask_text(ID_NAME) in err and "Traceback" in err  # the message and the --debug log line


def test_debug_log_lines_are_masked():
    import logging

    from reportgen.cli import _MaskingFormatter

    fmt = _MaskingFormatter("%(message)s")
    try:
        raise ValueError(f"读取 {ID_FILE}.xlsx 失败，电话 {MOBILE}")
    except ValueError:
        record = logging.LogRecord("reportgen", logging.ERROR, __file__, 1, "文件 %s", (ID_FILE,),
                                   sys.exc_info())
    line = fmt.format(record)
    assert "Traceback" in line and mask_text(ID_FILE) in line and not _leaks(line)


def test_one_masker_for_text_columns_arrow_and_nested_values():
    s = pd.Series(["甲", f"证件{ID_NAME}", None, f"电话 {MOBILE_DASHED}", "共12345人"], dtype="string")
    got = mask_texts(s)
    assert got.dtype == s.dtype and got.isna().tolist() == s.isna().tolist()
    assert got.tolist()[1] == f"证件{mask_text(ID_NAME)}" and got.tolist()[3] == "电话 139****4321"
    assert got.tolist()[4] == "共12345人"
    arr = mask_arrow(pa.array([None if v is pd.NA else v for v in s.tolist()], type=pa.large_string()))
    assert arr.to_pylist() == [None if v is pd.NA else v for v in got.tolist()]
    cat = pd.Series([ID_AREA, "城东", ID_AREA]).astype("category")
    assert mask_texts(cat).tolist() == [mask_text(ID_AREA), "城东", mask_text(ID_AREA)]
    nested = mask_deep({"a": [f"x{MOBILE}", 3, 0.1234567890123456], "t": pd.DataFrame({ID_AREA: [MOBILE, 5]})})
    assert nested["a"] == ["x138****5678", 3, 0.1234567890123456]
    assert list(nested["t"].columns) == [mask_text(ID_AREA)] and nested["t"].iloc[0, 0] == "138****5678"


@pytest.mark.parametrize("text, masked", [
    ("13812345678", "138****5678"), ("138-1234-5678", "138****5678"), ("138 1234 5678", "138****5678"),
    ("+8613812345678", "+86138****5678"), ("86 13812345678", "86 138****5678"),
    ("110105 19491231 0021", "110105********0021"), ("110105194912310021", "110105********0021"),
    ("０.5 と １３８１２３４５６７８", "０.5 と １３８****５６７８"),
    ("共 2026 年 23456789012 元", "共 2026 年 23456789012 元"), ("12345678901", "123****8901"),
    ("138123456789", "138123456789"), (f"{ID_AREA}2026年", f"{ID_AREA[:6]}************2026年"), ("1381234567", "1381234567"), ("0.13812345678", "0.13812345678"),
    ("010-88886666", "010-88886666"), ("91110105MA01ABCD2X", "91110105MA01ABCD2X"),
])
def test_what_counts_as_a_mobile_or_id_number(text, masked):
    assert mask_text(text) == masked
