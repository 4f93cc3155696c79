"""The number-cell scan of .xlsx sheet XML (reportgen.ingest.xlsxscan): an ID typed into a
number cell is found by the cell's type in the XML, in the same inflate pass as the size guard,
and the scan agrees with fastexcel's own cell types wherever it vouches for a sheet."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reportgen.ingest.read as rd
from conftest import person_id, valid_sheets, write_workbook
from reportgen import schema
from reportgen.config import Limits
from reportgen.ingest import discover as disc
from reportgen.ingest import load, xlsxscan

ID = 330102198001011234  # synthetic; as a double it is 330102198001011328


def _cells(xml: str) -> list[tuple[int, int]]:
    return [tuple(x) for x in xlsxscan.big_number_cells(xml.encode()).tolist()]


def test_scan_reads_the_cell_type_not_the_text():
    xml = ('<sheetData><row r="2">'
           '<c r="A2" t="s"><v>12</v></c>'                                  # shared string index
           '<c r="B2"><v>3.3010219800101101E+17</v></c>'                    # Excel's number
           '<c r="C2" t="n" s="3"><v>330102198001011328</v></c>'            # plain digits
           '<c r="D2" t="str"><f>TEXT(B2,"0")</f><v>330102198001011328</v></c>'  # formula text
           '<c r="E2" s="1"><f>B2*1</f><v>3.301021980010113e+17</v></c>'    # formula number
           '<c r="F2"><v>13800000000</v></c>'                               # a phone: small
           '<c r="G2" t="inlineStr"><is><t>330102198001011234</t></is></c>'
           '<c r="AB7"><v>1E+16</v></c>'
           '</row></sheetData>')
    assert _cells(xml) == [(2, 1), (2, 2), (2, 4), (7, 27)]


def test_scan_handles_prefixed_tags_and_refuses_what_it_cannot_place():
    prefixed = '<x:row r="4"><x:c r="B4" s="2"><x:v>3.3E+17</x:v></x:c></x:row>'
    assert _cells(prefixed) == [(4, 1)]
    with pytest.raises(xlsxscan.Unsure):
        _cells('<row><c t="n"><v>3.3E+17</v></c></row>')  # no cell reference
    with pytest.raises(xlsxscan.Unsure):
        _cells('<v>3.3E+17</v>')  # a value outside any cell
    assert _cells('<c r="A1" t="s"><v>1</v></c>') == []


def test_sheet_parts_follow_the_relationships():
    workbook = (b'<workbook xmlns:r="rel"><sheets>'
                b'<sheet name="A&amp;B" sheetId="1" r:id="rId2"/>'
                b'<sheet r:id="rId1" name="\xe5\x85\x9a\xe5\x91\x98" sheetId="2"/></sheets></workbook>')
    rels = (b'<Relationships><Relationship Id="rId1" Type="t" Target="worksheets/sheet1.xml"/>'
            b'<Relationship Target="/xl/worksheets/sheet2.xml" Id="rId2" Type="t"/></Relationships>')
    assert xlsxscan.sheet_parts(workbook, rels) == {"A&B": "xl/worksheets/sheet2.xml",
                                                    "党员": "xl/worksheets/sheet1.xml"}


def _members_with_numbers(id_row: int, note_row: int) -> dict:
    sheets = valid_sheets()
    members = [list(r) for r in sheets[schema.MEMBERS.name]]
    header = members[0]
    col = header.index(schema.MEMBERS.header("id_number"))
    members[id_row - 1][col] = ID  # a number cell in the ID column
    header.append("备注")
    for r in members[1:]:
        r.append(None)
    members[note_row - 1][-1] = int(person_id("19900101", True, 7))  # a big number elsewhere
    sheets[schema.MEMBERS.name] = members
    return sheets


def test_sniff_gives_the_number_cells_of_each_sheet(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", _members_with_numbers(3, 4))
    found = disc.sniff(path, Limits()).big_numbers
    header = valid_sheets()[schema.MEMBERS.name][0]
    col = header.index(schema.MEMBERS.header("id_number"))
    assert found[schema.MEMBERS.name].tolist() == [[3, col], [4, len(header)]]
    assert all(len(found[s]) == 0 for s in found if s != schema.MEMBERS.name)


def test_only_the_id_column_number_is_an_id_error(tmp_path):
    folder = tmp_path / "2026Q3"
    write_workbook(folder / "a.xlsx", _members_with_numbers(3, 4))
    issues = load(folder).issues
    ids = issues[issues["rule"] == "row.id_numeric"]
    assert ids["row"].tolist() == [3]


def test_sheet_starting_at_column_c_is_placed_by_absolute_column(tmp_path):
    sheets = valid_sheets()
    members = [[None, None, *r] for r in sheets[schema.MEMBERS.name]]
    members[2][2 + members[0][2:].index(schema.MEMBERS.header("id_number"))] = ID
    sheets[schema.MEMBERS.name] = members
    folder = tmp_path / "2026Q3"
    write_workbook(folder / "a.xlsx", sheets)
    issues = load(folder).issues
    assert issues[issues["rule"] == "row.id_numeric"]["row"].tolist() == [3]
    assert set(issues["rule"]) == {"row.id_numeric"}


def test_scan_and_fastexcel_agree(tmp_path, monkeypatch):
    """Same flags whether the XML scan vouches for the sheet or fastexcel is asked again."""
    folder = tmp_path / "2026Q3"
    write_workbook(folder / "a.xlsx", _members_with_numbers(2, 3))
    fast = load(folder).issues

    asked = []
    original = rd._mark_numeric_ids

    def no_scan(reader, idx, raw, big, column):
        asked.append(raw.sheet)
        return original(reader, idx, raw, None, column)

    monkeypatch.setattr(rd, "_mark_numeric_ids", no_scan)
    slow = load(folder).issues
    assert schema.MEMBERS.name in asked
    assert fast.equals(slow)
    assert fast[fast["rule"] == "row.id_numeric"]["row"].tolist() == [2]


def test_unsure_sheet_falls_back_to_fastexcel(tmp_path, monkeypatch):
    def unsure(xml):
        raise xlsxscan.Unsure("test")

    monkeypatch.setattr(xlsxscan, "big_number_cells", unsure)
    folder = tmp_path / "2026Q3"
    path = write_workbook(folder / "a.xlsx", _members_with_numbers(3, 4))
    assert disc.sniff(path, Limits()).big_numbers == {}
    issues = load(folder).issues
    assert issues[issues["rule"] == "row.id_numeric"]["row"].tolist() == [3]


def test_stored_entries_are_scanned_too(tmp_path):
    """A workbook re-zipped without compression is read and scanned the same way."""
    src = write_workbook(tmp_path / "src.xlsx", _members_with_numbers(3, 4))
    folder = tmp_path / "2026Q3"
    folder.mkdir()
    dst = folder / "a.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    assert schema.MEMBERS.name in disc.sniff(dst, Limits()).big_numbers
    issues = load(folder).issues
    assert issues[issues["rule"] == "row.id_numeric"]["row"].tolist() == [3]


def test_scan_result_shape_when_nothing_is_found():
    out = xlsxscan.big_number_cells(b"<sheetData/>")
    assert out.shape == (0, 2) and out.dtype == np.int64


def test_quick_pass_skips_parts_without_big_values_and_keeps_the_others():
    plain = ('<row r="2"><c r="A2" t="s"><v>12</v></c><c r="B2"><v>45292</v></c>'
             '<c r="C2" t="inlineStr"><is><t>330102198001011234</t></is></c></row>').encode()
    assert not xlsxscan._may_hold(plain) and _cells(plain.decode()) == []
    # bytes that are not UTF-8 before the value do not hide it from the quick pass
    odd = b'<t>\xff\xfe\xe4\xb8</t><row r="3"><c r="B3"><v> 3.3E+17</v></c></row>'
    assert xlsxscan._may_hold(odd)
    assert xlsxscan.big_number_cells(odd).tolist() == [[3, 1]]
    for space in (b" ", b"\t", b"\n", b"\r", b"\x0b", b"\x0c"):  # what Python's \s allows
        for value in (b"3.3E+17", b"330102198001011328"):
            xml = b'<row r="5"><c r="C5"><v>' + space + value + b"</v></c></row>"
            assert xlsxscan.big_number_cells(xml).tolist() == [[5, 2]], (space, value)


_PIECES = st.sampled_from([b"<v>", b"<x:v>", b"</v>", b"v>", b"<c r=\"A1\">", b"1234567890123456", b"12",
                           b"3.3", b"E", b"e+17", b"+", b"-", b" ", b"\t", b"\x0b", b"\n", b".", b"\xff",
                           b"\xe4\xb8\xad", b"<t>", b"0"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=14))
def test_quick_pass_never_misses_what_the_exact_scan_finds(pieces):
    xml = b"".join(pieces)
    if xlsxscan._BIG.search(xml) or xlsxscan._BIG_NS.search(xml):
        assert xlsxscan._may_hold(xml)
