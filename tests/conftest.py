"""Shared test helpers: write small workbooks and CSV files, make synthetic ID numbers.

All people are synthetic: ID numbers use the made-up area code 990101 and carry valid GB 11643
check characters computed here independently of the package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import openpyxl
import pytest

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_char(first17: str) -> str:
    """GB 11643 check character, written out independently of reportgen.ingest.idcard."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def person_id(birth: str = "19900101", male: bool = True, seq: int = 1, area: str = "990101") -> str:
    """A synthetic 18-digit ID number with a valid check character."""
    third = (seq * 2 + (1 if male else 0)) % 10
    first17 = f"{area}{birth}{seq % 100:02d}{third}"
    return first17 + check_char(first17)


def write_workbook(path: str | Path, sheets: dict[str, Sequence[Sequence[object]]],
                   hidden: Iterable[str] = ()) -> Path:
    """Write {sheet name: rows} with openpyxl (None = empty cell); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        if name in hidden:
            ws.sheet_state = "hidden"
    if not sheets:
        wb.create_sheet("Sheet1")
    wb.save(path)
    return path


def write_csv(path: str | Path, rows: Sequence[Sequence[object]], encoding: str = "utf-8") -> Path:
    """Write rows as comma-separated text in ``encoding`` ("utf-8-sig" for a BOM, "gbk")."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(",".join("" if c is None else str(c) for c in row) for row in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def wb(tmp_path):
    """``wb(name, sheets)`` writes a workbook into a fresh submission folder and returns the folder."""
    folder = tmp_path / "2026Q3"

    def make(name: str, sheets: dict[str, Sequence[Sequence[object]]], **kw) -> Path:
        write_workbook(folder / name, sheets, **kw)
        return folder

    return make


def valid_sheets() -> dict[str, list[list[object]]]:
    """A small submission with no problem at all (canonical headers, as the template writes them):
    a 党委 with two 党支部, four members, one election and its committee, one two-new unit."""
    from reportgen import schema

    def head(sheet):
        return [f.header for f in sheet.fields]

    def row(sheet, **values):
        return [values.get(f.key) for f in sheet.fields]

    o, m, e, c, u = schema.ORGS, schema.MEMBERS, schema.ELECTIONS, schema.COMMITTEE, schema.UNITS
    return {
        o.name: [head(o),
                 row(o, org_id="A01", name="示例党委", org_type="党委", sector="机关", area="城东街道",
                     last_election="2024-06-18", secretary="李书记"),
                 row(o, org_id="A0101", name="示例第一支部", parent_id="A01", org_type="党支部",
                     sector="机关", area="城东街道", last_election="2024-06-18", secretary="张书记"),
                 row(o, org_id="A0102", name="示例第二支部", parent_id="A01", org_type="党支部",
                     sector="社会组织", area="城西街道", last_election="2023-05-01")],
        m.name: [head(m),
                 row(m, name="甲一", id_number=person_id("19900101", True, 1), gender="男",
                     birth_date="1990-01-01", education="大学本科", joined="2015-07-01",
                     full_member_since="2016-07-01", org_id="A0101", occupation="工人",
                     phone="13800000000"),
                 row(m, name="乙二", id_number=person_id("19850315", False, 2), gender="女",
                     birth_date="1985-03-15", education="研究生", joined="2010-06-01",
                     full_member_since="2011-06-01", org_id="A0101", occupation="离退休人员"),
                 row(m, name="丙三", id_number=person_id("20000220", True, 3), education="大专",
                     joined="2026-08-01", org_id="示例第二支部", occupation="学生"),
                 row(m, name="丁四", id_number=person_id("19700707", False, 4), gender="女",
                     birth_date="1970-07-07", education="高中", joined="1995-07-01",
                     full_member_since="1996-07-01", org_id="A0102", occupation="农民")],
        e.name: [head(e),
                 row(e, org_id="A0101", date="2024-06-18", eligible=25, present=23, seats=5,
                     candidates=6)],
        c.name: [head(c),
                 row(c, org_id="A0101", term="本届", name="张书记", id_number=person_id("19750101", True, 5),
                     gender="男", birth_date="1975-01-01", education="大学本科", role="书记"),
                 row(c, org_id="A0101", term="上届", name="张书记", id_number=person_id("19750101", True, 5),
                     gender="男", birth_date="1975-01-01", education="大学本科", role="副书记")],
        u.name: [head(u),
                 row(u, unit_name="示例科技有限公司", unit_type="非公有制企业", employees=120,
                     party_org="单独组建", org_id="A0102", party_members=8)],
    }
