"""Per-area reports (--by area) and reports per subtree of the organization tree (--by level:N,
--by 党工委): 两新组织 follow their Party organization, the 数据说明 counts the part's own rows,
and a one-area report compares no areas."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest

import reportgen
from reportgen import api, schema
from conftest import person_id, write_workbook

SAMPLES = Path(__file__).resolve().parent.parent / "data_samples"


def _text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("by_area")
    result = api.build(SAMPLES / "2026Q3", out / "out", previous=SAMPLES / "2026Q2", by="area")
    ds = reportgen.load(SAMPLES / "2026Q3")
    return result, ds


def _expected_units(ds) -> dict[str, int]:
    """Counted here from the clean tables: a unit's area is its organization's; an unbuilt unit
    takes the area of the built units of its 所在园区楼宇 when they all share one."""
    org_area = {o: a for o, a in zip(ds.orgs["org_id"], ds.orgs["area"]) if isinstance(a, str)}
    loc_areas: dict[str, set] = {}
    areas = []
    for org, loc in zip(ds.units["org_id"], ds.units["location"]):
        a = org_area.get(org) if isinstance(org, str) else None
        areas.append(a)
        if a is not None and isinstance(loc, str):
            loc_areas.setdefault(loc.strip(), set()).add(a)
    counts: dict[str, int] = {}
    for a, loc in zip(areas, ds.units["location"]):
        if a is None and isinstance(loc, str) and len(loc_areas.get(loc.strip(), ())) == 1:
            a = next(iter(loc_areas[loc.strip()]))
        if a is not None:
            counts[a] = counts.get(a, 0) + 1
    return counts


def test_area_reports_count_their_two_new_units(built):
    result, ds = built
    expected = _expected_units(ds)
    assert set(result.parts) == set(ds.orgs["area"].dropna().unique())
    assert sum(expected.values()) > 0
    for area, part in result.parts.items():
        text = _text(part.report)
        m = re.search(rf"{area}共有“两新”组织(\d+)家", text)
        if expected.get(area):
            assert m and int(m.group(1)) == expected[area], area
            assert "“两新”组织党建工作覆盖" in text  # the section the introduction promises
            assert len(part.dataset.units) == expected[area]
        else:
            assert m is None


def test_unattributable_units_are_named_in_every_area_report(built):
    result, ds = built
    expected = _expected_units(ds)
    loose = len(ds.units) - sum(expected.values())
    assert loose > 0  # the sample has unbuilt units in buildings no built unit shares
    for part in result.parts.values():
        assert f"的{loose}个“两新”组织未计入各片区报告" in _text(part.report)


def test_area_data_note_counts_the_area_rows(built):
    result, ds = built
    for area, part in result.parts.items():
        ids = set(ds.orgs.loc[ds.orgs["area"] == area, "org_id"])
        used = (len(ds.orgs[ds.orgs["org_id"].isin(ids)]) + len(ds.members[ds.members["org_id"].isin(ids)])
                + len(ds.elections[ds.elections["org_id"].isin(ids)])
                + len(ds.committee[ds.committee["org_id"].isin(ids)]) + _expected_units(ds).get(area, 0))
        m = re.search(r"共读取数据(\d+)行，其中(\d+)行纳入统计", _text(part.report))
        assert m, area
        assert int(m.group(2)) == used, area
        whole = int(ds.reconciliation["rows_read"].sum())
        assert used <= int(m.group(1)) < whole, area
        # the issues are the area's: of its own files, or of its rows in a shared file
        own_files = set(part.dataset.reconciliation["file"])
        assert set(part.dataset.issues["file"]) <= own_files
        errors = re.search(r"校验发现(\d+)处错误", _text(part.report))
        assert (int(errors.group(1)) if errors else 0) == part.dataset.error_count
        assert part.dataset.error_count + part.dataset.warning_count < len(ds.issues)
    district = re.search(r"共读取数据(\d+)行", _text(result.report))
    assert int(district.group(1)) == int(ds.reconciliation["rows_read"].sum())


def test_one_area_report_has_no_area_comparison(built):
    result, _ = built
    for part in result.parts.values():
        doc = docx.Document(str(part.report))
        captions = [p.text for p in doc.paragraphs if re.match(r"^[表图]\d", p.text)]
        assert captions and not [c for c in captions if "各片区" in c], captions
        assert "各领域和各片区党组织" not in _text(part.report)
    captions = [p.text for p in docx.Document(str(result.report)).paragraphs if re.match(r"^[表图]\d", p.text)]
    assert [c for c in captions if "各片区" in c]  # the district report still compares them


def _tree(folder: Path) -> Path:
    o, m = schema.ORGS, schema.MEMBERS

    def row(sheet, **values):
        return [values.get(f.key) for f in sheet.fields]

    orgs = [[f.header for f in o.fields],
            row(o, org_id="B01", name="示例区委", org_type="党委", sector="机关", area="城东街道"),
            row(o, org_id="B0101", name="东山街道党工委", parent_id="B01", org_type="党工委", sector="机关",
                area="城东街道"),
            row(o, org_id="B0102", name="西河街道党工委", parent_id="B01", org_type="党工委", sector="机关",
                area="城东街道")]
    members = [[f.header for f in m.fields]]
    seq = 0
    for g, n_branches, per in (("B0101", 2, 3), ("B0102", 2, 2)):
        for b in range(1, n_branches + 1):
            code = f"{g}0{b}"
            orgs.append(row(o, org_id=code, name=f"{g}第{b}支部", parent_id=g, org_type="党支部",
                            sector="城市社区", area="城东街道", secretary="王书记"))
            for _ in range(per):
                seq += 1
                members.append(row(m, name=f"党员{seq}", id_number=person_id("19800101", seq % 2 == 0, seq),
                                   education="大学本科", joined="2005-07-01", full_member_since="2006-07-01",
                                   org_id=code, occupation="工人"))
    write_workbook(folder / "示例区.xlsx", {o.name: orgs, m.name: members})
    return folder


@pytest.mark.parametrize("by", ["level:2", "党工委"])
def test_by_tree_level_gives_one_folder_per_subtree(tmp_path, by):
    folder = _tree(tmp_path / "2026Q3")
    result = api.build(folder, tmp_path / "out", period="2026Q3", by=by)
    assert set(result.parts) == {"东山街道党工委", "西河街道党工委"}
    members = {k: len(p.dataset.members) for k, p in result.parts.items()}
    orgs = {k: len(p.dataset.orgs) for k, p in result.parts.items()}
    assert members == {"东山街道党工委": 6, "西河街道党工委": 4}
    assert orgs == {"东山街道党工委": 3, "西河街道党工委": 3}
    for name in result.parts:
        assert (tmp_path / "out" / name / "report.docx").exists()
    assert "共有党员6名" in _text(tmp_path / "out" / "东山街道党工委" / "report.docx").replace("，", "")


def test_by_level_one_is_the_whole_tree_and_unknown_by_is_refused(tmp_path):
    folder = _tree(tmp_path / "2026Q3")
    result = api.build(folder, tmp_path / "out", period="2026Q3", by="level:1")
    assert list(result.parts) == ["示例区委"] and len(result.parts["示例区委"].dataset.members) == 10
    with pytest.raises(ValueError, match="--by level:2"):
        api.build(folder, tmp_path / "out2", period="2026Q3", by="街道")


def test_unbuilt_unit_follows_its_area_column(tmp_path):
    from conftest import valid_sheets

    u = schema.UNITS
    sheets = valid_sheets()
    head = sheets[u.name][0]
    assert "所属片区" in head
    head[head.index("所属片区")] = "所在街道"  # an alias of the optional column

    def row(**values):
        return [values.get(f.key) for f in u.fields]

    sheets[u.name] += [row(unit_name="城西某贸易有限公司", unit_type="非公有制企业", employees=30,
                           party_org="未建立", area="城西街道"),
                       row(unit_name="某咨询有限公司", unit_type="非公有制企业", employees=12, party_org="未建立")]
    write_workbook(tmp_path / "2026Q3" / "示例.xlsx", sheets)
    result = api.build(tmp_path / "2026Q3", tmp_path / "out", period="2026Q3", by="area")
    # the built unit's organization A0102 is in 城西街道; the unbuilt one says 城西街道; the last cannot be told
    assert {k: len(p.dataset.units) for k, p in result.parts.items()} == {"城东街道": 0, "城西街道": 2}
    assert "的1个“两新”组织未计入各片区报告" in _text(result.parts["城东街道"].report)
    assert "城西街道共有“两新”组织2家" in _text(result.parts["城西街道"].report)
