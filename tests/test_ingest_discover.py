"""Finding files and telling their format from their content; size guards; one bad file never
stops the others."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xlwt

from conftest import person_id, valid_sheets, write_csv, write_workbook
from reportgen import schema
from reportgen.config import Config, Limits
from reportgen.ingest import discover as disc
from reportgen.ingest import load
from reportgen.ingest.read import read_file

FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def build_cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal Compound File Binary (MS-CFB v3, 512-byte sectors): one FAT sector, one
    directory sector, each stream in whole sectors of its own."""
    names = list(streams)
    assert len(names) <= 3
    data_sectors: list[bytes] = []
    starts = []
    fat = [FATSECT, END]  # sector 0: FAT, sector 1: directory
    for name in names:
        content = streams[name]
        if not content:
            starts.append(END)
            continue
        n = -(-len(content) // 512)
        first = 2 + len(data_sectors)
        starts.append(first)
        for i in range(n):
            data_sectors.append(content[i * 512:(i + 1) * 512].ljust(512, b"\0"))
            fat.append(first + i + 1 if i < n - 1 else END)
    fat += [FREE] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", NOSTREAM, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
                + struct.pack("<IQ", start, size))

    directory = entry("Root Entry", 5, 1 if names else NOSTREAM, NOSTREAM, END, 0)
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else NOSTREAM
        directory += entry(name, 2, NOSTREAM, right, starts[i], len(streams[name]))
    directory = directory.ljust(512, b"\0")
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
              + struct.pack("<I", 0) + struct.pack("<108I", *[FREE] * 108))
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory + b"".join(data_sectors)


def _good(folder: Path) -> Path:
    return write_workbook(folder / "good.xlsx", valid_sheets())


def _only_issue(ds, file: str):
    lines = ds.issues[ds.issues["file"] == file]
    assert len(lines) == 1, lines.to_dict("records")
    return lines.iloc[0]


def test_ignored_files_and_sorted_relative_paths(tmp_path):
    root = tmp_path / "2026Q3"
    _good(root / "b_street")
    write_workbook(root / "a_street" / "orgs.xlsx", {schema.ORGS.name: valid_sheets()[schema.ORGS.name][:1]})
    (root / "~$good.xlsx").write_bytes(b"locked by someone")
    (root / ".hidden.xlsx").write_bytes(b"junk")
    (root / ".git").mkdir()
    (root / ".git" / "x.xlsx").write_bytes(b"junk")
    (root / "narrative.yaml").write_text("主要做法: []\n", encoding="utf-8")
    _, files = disc.discover(root)
    assert [rel for _, rel in files] == ["a_street/orgs.xlsx", "b_street/good.xlsx"]
    ds = load(root, period="2026Q3")
    assert ds.issues.empty
    assert ds.files["file"].tolist() == ["a_street/orgs.xlsx", "b_street/good.xlsx"]
    assert set(ds.members["_file"]) == {"b_street/good.xlsx"}


def test_single_file_path(tmp_path):
    path = _good(tmp_path / "2026Q3")
    ds = load(path)
    assert ds.period.label == "2026Q3"  # from the folder's name
    assert ds.files["file"].tolist() == ["good.xlsx"]


def test_encrypted_ooxml_is_reported(tmp_path):
    root = tmp_path / "2026Q3"
    _good(root)
    (root / "locked.xlsx").write_bytes(build_cfb({"EncryptionInfo": b"", "EncryptedPackage": b""}))
    ds = load(root, period="2026Q3")
    line = _only_issue(ds, "locked.xlsx")
    assert (line["rule"], line["severity"]) == ("file.encrypted", "错误")
    assert "请去除密码后另存为 .xlsx" in line["message"]
    assert len(ds.members) == 4  # the good file is still read


def test_encrypted_xls_with_filepass_record(tmp_path):
    bof = struct.pack("<HH", 0x0809, 16) + b"\0" * 16
    filepass = struct.pack("<HH", 0x002F, 6) + b"\1\0\1\0\1\0"
    path = tmp_path / "old.xls"
    path.write_bytes(build_cfb({"Workbook": (bof + filepass).ljust(4096, b"\0")}))
    assert disc.sniff(path, Limits()).rule == "file.encrypted"
    plain = tmp_path / "plain.xls"
    plain.write_bytes(build_cfb({"Workbook": (bof + struct.pack("<HH", 0x00E1, 0)).ljust(4096, b"\0")}))
    assert disc.sniff(plain, Limits()).kind == "xls"


def test_word_and_other_files_are_unsupported(tmp_path):
    root = tmp_path / "2026Q3"
    _good(root)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    (root / "report.xlsx").write_bytes(buf.getvalue())
    (root / "scan.xlsx").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    (root / "table.et").write_bytes("这不是表格".encode("utf-8"))
    (root / "export.xls").write_bytes("<html><body><table><tr><td>姓名</td></tr></table></body></html>"
                                      .encode("utf-8"))
    (root / "photo.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (root / "doc.xls").write_bytes(build_cfb({"WordDocument": b""}))
    ds = load(root, period="2026Q3")
    expect = {"report.xlsx": "Word", "scan.xlsx": "PDF", "table.et": "WPS", "export.xls": "HTML",
              "photo.xlsx": "不是电子表格", "doc.xls": "Word"}
    for name, word in expect.items():
        line = _only_issue(ds, name)
        assert line["rule"] == "file.unsupported", name
        assert word in line["message"], (name, line["message"])
        assert ".xlsx" in line["message"]
    assert len(ds.members) == 4


def test_damaged_and_empty_files(tmp_path):
    root = tmp_path / "2026Q3"
    good = _good(root)
    data = good.read_bytes()
    (root / "cut.xlsx").write_bytes(data[: len(data) // 2])
    (root / "empty.xlsx").write_bytes(b"")
    ole = build_cfb({"Workbook": b""})
    (root / "broken.xls").write_bytes(ole[:300])
    ds = load(root, period="2026Q3")
    for name in ("cut.xlsx", "empty.xlsx", "broken.xls"):
        line = _only_issue(ds, name)
        assert line["rule"] == "file.unreadable", name
        assert "Traceback" not in line["message"]
    assert ds.files.set_index("file").loc["cut.xlsx", "status"] == "文件已损坏或不是电子表格"
    assert len(ds.members) == 4


def test_empty_workbook_has_no_sheet(tmp_path):
    root = tmp_path / "2026Q3"
    _good(root)
    write_workbook(root / "blank.xlsx", {})
    ds = load(root, period="2026Q3")
    line = _only_issue(ds, "blank.xlsx")
    assert line["rule"] == "file.no_sheet"
    assert pd.isna(line["row"]) and line["sheet"] == ""


def _bomb(path: Path, megabytes: int = 50) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(megabytes):
                fh.write(chunk)
    return path


def test_zip_bomb_refused_before_inflating(tmp_path, monkeypatch):
    root = tmp_path / "2026Q3"
    _good(root)
    bomb = _bomb(root / "bomb.xlsx")
    assert bomb.stat().st_size < 200_000
    import fastexcel

    real = fastexcel.read_excel

    def guarded(source):
        if isinstance(source, (str, Path)) and Path(source).name == "bomb.xlsx":
            raise AssertionError("the bomb was handed to the parser")
        return real(source)

    def no_inflate(*args, **kwargs):
        raise AssertionError("something was inflated")

    monkeypatch.setattr(fastexcel, "read_excel", guarded)
    assert disc.sniff(bomb, Limits()).rule == "file.too_large"  # ratio ~1000 > 200 by default
    monkeypatch.setattr(zipfile, "_get_decompressor", no_inflate)
    cfg = Config(limits=Limits(max_uncompressed_mb=10, max_compression_ratio=1e9))
    sniffed = disc.sniff(bomb, cfg.limits)
    assert sniffed.rule == "file.too_large" and "解压后" in sniffed.detail
    monkeypatch.undo()
    ds = load(root, period="2026Q3", config=cfg)
    line = _only_issue(ds, "bomb.xlsx")
    assert line["rule"] == "file.too_large"
    assert len(ds.members) == 4


def test_size_and_entry_guards(tmp_path):
    path = _good(tmp_path)
    assert disc.sniff(path, Limits(max_file_mb=0.001)).rule == "file.too_large"
    assert disc.sniff(path, Limits(max_zip_entries=3)).rule == "file.too_large"
    assert disc.sniff(path, Limits()).kind == "xlsx"


def test_an_exception_while_reading_becomes_one_line(tmp_path, monkeypatch):
    root = tmp_path / "2026Q3"
    _good(root)
    write_workbook(root / "z_second.xlsx", {schema.ORGS.name: valid_sheets()[schema.ORGS.name][:1]})
    import fastexcel

    real = fastexcel.read_excel

    def flaky(source):
        if isinstance(source, (str, Path)) and Path(source).name == "z_second.xlsx":
            raise RuntimeError("calamine error: unexpected end of file")
        return real(source)

    monkeypatch.setattr("reportgen.ingest.read.fastexcel.read_excel", flaky)
    ds = load(root, period="2026Q3")
    line = _only_issue(ds, "z_second.xlsx")
    assert line["rule"] == "file.unreadable" and "技术信息" in line["message"]
    assert len(ds.members) == 4


def test_password_error_text_maps_to_encrypted(tmp_path, monkeypatch):
    path = _good(tmp_path)

    def locked(source):
        raise RuntimeError("calamine error: Workbook is password protected")

    monkeypatch.setattr("reportgen.ingest.read.fastexcel.read_excel", locked)
    result = read_file(path, path.name, Limits())
    assert [i["rule"] for i in result.issues] == ["file.encrypted"]


def test_xls_written_with_xlwt(tmp_path):
    root = tmp_path / "2026Q3"
    write_workbook(root / "orgs.xlsx", {schema.ORGS.name: valid_sheets()[schema.ORGS.name]})
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet(schema.MEMBERS.name)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    heads = [schema.MEMBERS.header(k) for k in ("name", "id_number", "gender", "birth_date", "education",
                                                 "joined", "org_id", "occupation")]
    for c, h in enumerate(heads):
        ws.write(0, c, h)
    rows = [["甲", person_id("19900101", True, 1), "男", dt.date(1990, 1, 1), "本科", dt.date(2015, 7, 1), "A0101", "工人"],
            ["乙", int(person_id("19910101", True, 2)), "男", "1991-01-01", "本科", 42186, "A0101", "工人"],
            ["丙", person_id("19920101", False, 3), "女", "1992.01", "本科", "2016年7月", "A0101", "工人"]]
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            ws.write(r, c, v, date_style if isinstance(v, dt.date) else xlwt.Style.default_style)
    book.save(str(root / "members.xls"))
    ds = load(root, period="2026Q3")
    assert ds.files.set_index("file").loc["members.xls", "kind"] == "xls"
    line = _only_issue(ds, "members.xls")
    assert (line["rule"], line["row"]) == ("row.id_numeric", 3)
    assert person_id("19910101", True, 2) not in line["message"]
    m = ds.members.set_index("name")
    assert m.loc["甲", "joined"].date() == dt.date(2015, 7, 1)
    assert m.loc["丙", "joined"].date() == dt.date(2016, 7, 1)
    assert m.loc["丙", "birth_date"].date() == dt.date(1992, 1, 1)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    root = tmp_path / "2026Q3"
    write_workbook(root / "orgs.xlsx", {schema.ORGS.name: valid_sheets()[schema.ORGS.name]})
    write_csv(root / "党员.csv", valid_sheets()[schema.MEMBERS.name], encoding=encoding)
    ds = load(root, period="2026Q3")
    assert ds.issues.empty, ds.issues.to_dict("records")
    assert sorted(ds.members["name"]) == sorted(["甲一", "乙二", "丙三", "丁四"])
    assert set(ds.members["_sheet"]) == {"党员"}
    assert ds.members["_row"].tolist() == [2, 3, 4, 5]


def test_tab_separated_text_saved_as_xls_is_read(tmp_path):
    root = tmp_path / "2026Q3"
    write_workbook(root / "orgs.xlsx", {schema.ORGS.name: valid_sheets()[schema.ORGS.name]})
    text = "\n".join("\t".join("" if c is None else str(c) for c in row)
                     for row in valid_sheets()[schema.MEMBERS.name])
    (root / "导出.xls").write_bytes(text.encode("gbk"))
    ds = load(root, period="2026Q3")
    assert ds.issues.empty
    assert ds.files.set_index("file").loc["导出.xls", "kind"] == "csv"
    assert len(ds.members) == 4


def test_csv_id_in_scientific_notation_is_numeric(tmp_path):
    root = tmp_path / "2026Q3"
    write_workbook(root / "orgs.xlsx", {schema.ORGS.name: valid_sheets()[schema.ORGS.name]})
    rows = [list(r) for r in valid_sheets()[schema.MEMBERS.name]]
    rows[1][1] = "9.90101E+17"
    write_csv(root / "members.csv", rows, encoding="gbk")
    ds = load(root, period="2026Q3")
    line = _only_issue(ds, "members.csv")
    assert (line["rule"], line["row"]) == ("row.id_numeric", 2)

