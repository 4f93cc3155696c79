"""A corpus of hostile and broken submission files, made by code (nothing binary is committed).

``write_corpus(folder)`` writes every file of :data:`CORPUS` into ``folder`` and returns
{file name: expected rule}, where the rule is the one ``错误`` line the file must get, or ``None``
for a file that must be read safely (its rows analysed or reported row by row).
``write_million_rows`` writes a 党员 sheet of 1,048,576 rows (Excel's maximum) straight as sheet XML.

All people are synthetic (area code 990101, valid GB 11643 check characters).
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from pathlib import Path
from typing import Callable

import xlsxwriter

from conftest import person_id, valid_sheets, write_csv, write_workbook

MB = 1024 * 1024

# --------------------------------------------------------------------------- raw xlsx parts

_CT = ('<?xml version="1.0" encoding="UTF-8"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
       'officedocument.spreadsheetml.worksheet+xml"/>'
       '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
       'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8"?>'
       '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
       '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8"?>{{dtd}}<worksheet {_NS}><sheetData>'
SHEET_TAIL = "</sheetData></worksheet>"

LAUGHS = ("<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
          + "".join(f"<!ENTITY lol{i} \"{('&lol' + (str(i - 1) if i > 1 else '') + ';') * 10}\">"
                    for i in range(1, 10))
          + "]>")
XXE = '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def raw_xlsx(path: Path, sheet_xml: str | bytes, shared_xml: str | None = None, name: str = "党员",
             writer: Callable[[zipfile.ZipFile], None] | None = None) -> Path:
    """An xlsx assembled from raw XML parts (nothing checks or rewrites them on the way)."""
    shared = shared_xml or f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS}><si><t>a</t></si></sst>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB.format(name=name))
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/sharedStrings.xml", shared)
        if writer is not None:
            writer(z)
        else:
            z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return path


def _member_header_row() -> str:
    head = valid_sheets()["党员"][0]
    return '<row r="1">' + "".join(_cell(f"{chr(65 + i)}1", h) for i, h in enumerate(head)) + "</row>"


# --------------------------------------------------------------------------- bombs

def zip_bomb_ratio(path: Path, megabytes: int = 24) -> Path:
    """A real sheet entry of ``megabytes`` MB of blanks after a header: ratio ~1000, file ~25 KB."""
    def writer(z: zipfile.ZipFile) -> None:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(SHEET_HEAD.format(dtd="").encode() + _member_header_row().encode())
            chunk = b" " * MB
            for _ in range(megabytes):
                fh.write(chunk)
            fh.write(SHEET_TAIL.encode())
    return raw_xlsx(path, "", writer=writer)


def zip_bomb_claimed(path: Path, claimed: int = 3 * 1024 * MB) -> Path:
    """A small xlsx whose central directory says the sheet inflates to ``claimed`` bytes (3 GB):
    refused on the declared size alone, before anything is inflated."""
    raw_xlsx(path, SHEET_HEAD.format(dtd="") + _member_header_row() + SHEET_TAIL)
    return _patch_size(path, "xl/worksheets/sheet1.xml", claimed, central_only=True)


def zip_bomb_lying(path: Path, rows: int = 400_000) -> Path:
    """The dangerous kind: the sheet inflates to ~20 MB of rows but declares 1,000 bytes, so every
    guard that trusts declared sizes passes it and the parser would inflate it all."""
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'

    def writer(z: zipfile.ZipFile) -> None:
        with z.open("xl/worksheets/sheet1.xml", "w") as fh:
            fh.write(SHEET_HEAD.format(dtd="").encode() + _member_header_row().encode())
            chunk = row * 10_000
            for _ in range(rows // 10_000):
                fh.write(chunk)
            fh.write(SHEET_TAIL.encode())
    raw_xlsx(path, "", writer=writer)
    return _patch_size(path, "xl/worksheets/sheet1.xml", 1000, central_only=False)


def _patch_size(path: Path, entry: str, size: int, central_only: bool) -> Path:
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        offset = z.getinfo(entry).header_offset
    if not central_only:
        struct.pack_into("<I", data, offset + 22, size)  # local header: uncompressed size
    pos = 0
    name = entry.encode()
    while (pos := data.find(b"PK\x01\x02", pos)) >= 0:
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + n]) == name:
            struct.pack_into("<I", data, pos + 24, min(size, 0xFFFFFFFE))  # central: uncompressed size
        pos += 4
    path.write_bytes(bytes(data))
    return path


# --------------------------------------------------------------------------- XML entities

def laughs_in_sheet(path: Path) -> Path:
    return raw_xlsx(path, SHEET_HEAD.format(dtd=LAUGHS) + _member_header_row()
                    + f'<row r="2">{_cell("A2", "&lol9;")}</row>' + SHEET_TAIL)


def laughs_in_shared_strings(path: Path) -> Path:
    shared = f'<?xml version="1.0" encoding="UTF-8"?>{LAUGHS}<sst {_NS}><si><t>&lol9;</t></si></sst>'
    return raw_xlsx(path, SHEET_HEAD.format(dtd="") + _member_header_row()
                    + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>' + SHEET_TAIL, shared)


def xxe_in_sheet(path: Path) -> Path:
    return raw_xlsx(path, SHEET_HEAD.format(dtd=XXE) + _member_header_row()
                    + f'<row r="2">{_cell("A2", "&xxe;")}</row>' + SHEET_TAIL)


def xxe_in_shared_strings(path: Path) -> Path:
    shared = f'<?xml version="1.0" encoding="UTF-8"?>{XXE}<sst {_NS}><si><t>&xxe;</t></si></sst>'
    return raw_xlsx(path, SHEET_HEAD.format(dtd="") + _member_header_row()
                    + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>' + SHEET_TAIL, shared)


# --------------------------------------------------------------------------- not spreadsheets

def encrypted_ooxml(path: Path) -> Path:
    """What Excel writes for a password-protected workbook: an OLE2 file with EncryptionInfo."""
    from test_ingest_discover import build_cfb

    info = struct.pack("<HHI", 4, 4, 0x40) + b"<encryption/>"
    path.write_bytes(build_cfb({"EncryptionInfo": info, "EncryptedPackage": b"\x10" * 700}))
    return path


def pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    return path


def word(path: Path) -> Path:
    import docx

    doc = docx.Document()
    doc.add_paragraph("党员名单见附件")
    doc.save(path)
    return path


def random_bytes(path: Path, seed: int = 8) -> Path:
    path.write_bytes(random.Random(seed).randbytes(4096))
    return path


def truncated_zip(path: Path) -> Path:
    buf = io.BytesIO()
    _good_workbook(buf)
    data = buf.getvalue()
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def _good_workbook(target) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in valid_sheets().items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    wb.save(target)


# --------------------------------------------------------------------------- hostile contents

FORMULA_TEXTS = ("=HYPERLINK(\"http://example.invalid\",\"点击\")", "+1+2", "-3+4", "@SUM(1,2)",
                 "=cmd|' /C calc'!A0", "\t=1+1", "=1+1")
JINJA_TEXTS = ("{{ 7*7 }}", "{% for x in range(9) %}x{% endfor %}", "{{ ''.__class__ }}")
CONTROL_TEXT = "控制\x00字\x07符\x0b\x1f\ufffe"
RARE_NAMES = ("𠀀明", "王𪚥", "李😀", "张\u3400")


def write_strings(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """Like conftest.write_workbook, but every value is a string cell (xlsxwriter ``write_string``):
    text starting with ``=`` stays text, control characters are stored as Excel stores them
    (``_x0007_``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is not None:
                    ws.write_string(r, c, str(v))
    wb.close()
    return path


def hostile_data(path: Path) -> Path:
    """A workbook whose every sheet reads fine but whose texts are hostile: formula-like names,
    org and unit names, template syntax, control characters, emoji and rare CJK."""
    sheets = valid_sheets()
    orgs, members, units = sheets["党组织"], sheets["党员"], sheets["两新组织"]
    o, m, u = orgs[0], members[0], units[0]
    # a new organization (renaming one of the good workbook's would make its code name two
    # different organizations, whose members are then not attributed: set.duplicate_org)
    hostile_org = list(orgs[3])
    hostile_org[o.index("组织编码")] = str(hostile_org[o.index("组织编码")]) + "9"
    hostile_org[o.index("组织名称")] = "=HYPERLINK(\"http://example.invalid\",\"第二支部\")"
    hostile_org[o.index("书记姓名")] = "+书记"
    orgs.append(hostile_org)
    orgs[2][o.index("所属片区")] = "{{ 7*7 }}"
    units[1][u.index("单位名称")] = "@SUM(1,2)有限公司"
    base = members[1]
    for i, text in enumerate(FORMULA_TEXTS + JINJA_TEXTS + RARE_NAMES + (CONTROL_TEXT,)):
        row = list(base)
        row[m.index("姓名")] = text
        row[m.index("公民身份号码")] = person_id("19880808", True, 10 + i)
        row[m.index("出生日期")] = "1988-08-08"
        members.append(row)
    bad = list(base)  # an error row whose offending values are formula-like text
    bad[m.index("姓名")] = "=1+1"
    bad[m.index("公民身份号码")] = person_id("19660606", True, 41)
    bad[m.index("出生日期")] = "1966-06-06"
    bad[m.index("学历")] = "=HYPERLINK(\"http://example.invalid\")"
    members.append(bad)
    return write_strings(path, sheets)


def huge_cell(path: Path) -> Path:
    """A 党员 row whose name is 1 MB of text (Excel itself stops at 32,767 characters); random CJK
    so that it does not compress (the compression-ratio guard is not what must catch it)."""
    rng = random.Random(3)
    text = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(MB // 3))
    return raw_xlsx(path, SHEET_HEAD.format(dtd="") + _member_header_row()
                    + f'<row r="2">{_cell("A2", text)}</row>' + SHEET_TAIL)


def cached_formulas(path: Path) -> Path:
    """Cells holding formulas with cached results (as Excel saves them): the cached value is read."""
    rows = valid_sheets()["党员"]
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("党员")
    for r, row in enumerate(rows[:2]):
        for c, v in enumerate(row):
            if v is not None:
                ws.write_string(r, c, str(v))
    ws.write_formula(1, 0, '="甲"&"一"', None, "甲一")
    ws.write_formula(1, rows[0].index("所在党组织编码"), '=UPPER("a0101")', None, "A0101")
    wb.close()
    return path


def duplicate_headers(path: Path) -> Path:
    rows = [list(r) for r in valid_sheets()["党员"][:2]]
    rows[0].append("姓名")
    rows[1].append("=重复列")
    return write_workbook(path, {"党员": rows})


def headers_only(path: Path) -> Path:
    return write_workbook(path, {"党员": valid_sheets()["党员"][:1]})


def csv_cp1252(path: Path) -> Path:
    """A roster saved by an English-language Excel: Windows-1252, accented names, no Chinese."""
    head = ["Name", "ID", "Gender", "Birth", "Café"]
    return write_csv(path, [head, ["José Müller", "x", "M", "1990-01-01", "crème brûlée"]], "cp1252")


def csv_gbk(path: Path) -> Path:
    rows = [list(r) for r in valid_sheets()["党员"][:2]]
    rows[1][0] = "=甲一"
    return write_csv(path, rows, "gbk")


# --------------------------------------------------------------------------- the corpus

# file name → (maker, the one 错误 rule expected for the file, or None for a safe read)
CORPUS: dict[str, tuple[Callable[[Path], Path], str | None]] = {
    "炸弹_压缩比.xlsx": (zip_bomb_ratio, "file.too_large"),
    "炸弹_声明3GB.xlsx": (zip_bomb_claimed, "file.too_large"),
    "炸弹_虚报大小.xlsx": (zip_bomb_lying, "file.too_large"),
    "实体膨胀_工作表.xlsx": (laughs_in_sheet, "file.unreadable"),
    "实体膨胀_共享字符串.xlsx": (laughs_in_shared_strings, "file.unreadable"),
    "外部实体_工作表.xlsx": (xxe_in_sheet, "file.unreadable"),
    "外部实体_共享字符串.xlsx": (xxe_in_shared_strings, "file.unreadable"),
    "加密.xlsx": (encrypted_ooxml, "file.encrypted"),
    "PDF.xlsx": (pdf, "file.unsupported"),
    "PDF.xls": (pdf, "file.unsupported"),
    "PDF.csv": (pdf, "file.unsupported"),
    "Word.xlsx": (word, "file.unsupported"),
    "Word.xls": (word, "file.unsupported"),
    "Word.csv": (word, "file.unsupported"),
    "乱码.xlsx": (random_bytes, "file.unsupported"),
    "乱码.xls": (random_bytes, "file.unsupported"),
    "乱码.csv": (random_bytes, "file.unsupported"),
    "截断.xlsx": (truncated_zip, "file.unreadable"),
    "恶意文字.xlsx": (hostile_data, None),
    "超长单元格.xlsx": (huge_cell, "file.too_large"),
    "公式缓存值.xlsx": (cached_formulas, None),
    "重复表头.xlsx": (duplicate_headers, None),
    "只有表头.xlsx": (headers_only, None),
    "西文编码.csv": (csv_cp1252, "file.no_sheet"),
    "党员_GBK.csv": (csv_gbk, None),
}


def write_corpus(folder: Path) -> dict[str, str | None]:
    """Write every corpus file into ``folder``; {file name: expected rule or None}."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (make, _) in CORPUS.items():
        make(folder / name)
    return {name: rule for name, (_, rule) in CORPUS.items()}


def write_million_rows(path: Path, rows: int = 1_048_576) -> Path:
    """A 党员 sheet filled to Excel's last row (header + ``rows - 1`` members of one 党支部 of the
    good workbook), written as sheet XML with shared strings so that it stays quick to make."""
    head = valid_sheets()["党员"][0]
    keys = ("姓名", "性别", "出生日期", "学历", "入党日期", "转正日期", "所在党组织编码")
    cols = [head.index(k) for k in keys]
    strings = list(keys) + ["党员", "男", "1980-01-01", "大学本科", "2005-07-01", "2006-07-01", "A0101"]
    shared = (f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="{len(strings)}" '
              f'uniqueCount="{len(strings)}">' + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
    letters = [chr(65 + c) for c in cols]

    def writer(z: zipfile.ZipFile) -> None:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(SHEET_HEAD.format(dtd="").encode())
            fh.write(('<row r="1">' + "".join(f'<c r="{a}1" t="s"><v>{i}</v></c>'
                                              for i, a in enumerate(letters)) + "</row>").encode())
            # each member a distinct name (inline text): the same name, birth date and branch without
            # an ID number would be one person written twice (set.duplicate_member_noid)
            body = "".join(f'<c r="{a}{{n}}" t="inlineStr"><is><t>党员{{n}}</t></is></c>' if i == 0 else
                           f'<c r="{a}{{n}}" t="s"><v>{i + len(keys)}</v></c>' for i, a in enumerate(letters))
            template = '<row r="{n}">' + body + "</row>"
            for start in range(2, rows + 1, 50_000):
                stop = min(rows + 1, start + 50_000)
                fh.write("".join(template.format(n=n) for n in range(start, stop)).encode())
            fh.write(SHEET_TAIL.encode())
    return raw_xlsx(path, "", shared, writer=writer)
