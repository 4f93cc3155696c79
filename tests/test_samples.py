"""The synthetic district generator and the bundled sample (issue 2, parts 2–3).

The messy sets are read with the real reader (``reportgen.ingest.load``): every planted problem in
the manifest must be reported at its file, sheet, row and column with its rule and severity, and
nothing else may be an error.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import check_char
from reportgen import schema
from reportgen.ingest import load
from reportgen.samples import build_district, generate
from reportgen.validate.catalog import RULES

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "data_samples"
NATURAL_WARNINGS = {"set.branch_over_50"}  # the only issues a clean set may have (oversize branches)


def read_manifest(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "manifest must be UTF-8 with BOM (opens in Excel)"
    return pd.read_csv(path, encoding="utf-8-sig", dtype={"row": int})


def check_against_manifest(ds, manifest: pd.DataFrame) -> None:
    """Every manifest line is reported as planted; no other 错误; other warnings only natural ones."""
    issues = ds.issues.copy()
    issues["row"] = pd.to_numeric(issues["row"], errors="coerce").astype("Int64")
    key = ["file", "sheet", "row", "rule"]
    merged = manifest.merge(issues, on=key, how="left", suffixes=("", "_found"), indicator=True)
    missing = merged[merged["_merge"] == "left_only"]
    assert missing.empty, "planted problems not reported:\n" + missing[key].to_string()
    assert (merged["severity"] == merged["severity_found"]).all(), merged[key + ["severity", "severity_found"]]
    assert (merged["column"] == merged["column_found"]).all(), merged[key + ["column", "column_found"]]
    assert (manifest["severity"] == manifest["rule"].map(lambda r: RULES[r].severity)).all()
    planted = set(map(tuple, manifest[key].astype(str).to_numpy()))
    extra = issues[[tuple(map(str, r)) not in planted for r in issues[key].to_numpy()]]
    assert extra[extra["severity"] == "错误"].empty, extra.to_string()
    # the totals, section rows, notes and 填表说明 sheets of the real-layout workbooks are skipped and said
    extra = extra[extra["severity"] != "已跳过"]
    assert set(extra["rule"]) <= NATURAL_WARNINGS, extra.to_string()


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    root = tmp_path_factory.mktemp("messy")
    res = generate(root / "2026Q3", members=2500, workbooks=6, seed=7, messy=True, previous=True,
                   legacy_formats=True, jobs=1)
    return res


# --------------------------------------------------------------------------- determinism


def _tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes(tmp_path):
    kw = dict(members=1500, workbooks=5, seed=3, messy=True, previous=True, legacy_formats=True, jobs=1)
    generate(tmp_path / "a" / "2026Q3", **kw)
    generate(tmp_path / "b" / "2026Q3", **kw)
    a, b = _tree_bytes(tmp_path / "a"), _tree_bytes(tmp_path / "b")
    assert sorted(a) == sorted(b)
    assert len(a) == 2 * (5 + 2 + 1)  # per quarter: 5 workbooks, a .csv, an .xls, the hidden manifest
    for name in a:
        assert a[name] == b[name], name
    generate(tmp_path / "c" / "2026Q3", **{**kw, "seed": 4})
    c = _tree_bytes(tmp_path / "c")
    first = sorted(k for k in a if k.endswith(".xlsx"))[0]
    assert c[first] != a[first]


def test_parallel_writing_gives_the_same_bytes(tmp_path):
    generate(tmp_path / "one" / "2026Q3", members=1200, workbooks=4, seed=5, jobs=1)
    generate(tmp_path / "two" / "2026Q3", members=1200, workbooks=4, seed=5, jobs=2)
    assert _tree_bytes(tmp_path / "one") == _tree_bytes(tmp_path / "two")


# --------------------------------------------------------------------------- proportions (SPEC §5)


@pytest.mark.slow
def test_proportions_of_100000_members_read_back(tmp_path):
    res = generate(tmp_path / "2026Q3", members=100_000, workbooks=1, seed=2026)
    assert res.files == ["01_示例区.xlsx"]
    ds = load(tmp_path / "2026Q3", period="2026Q3")
    assert ds.error_count == 0
    m, o = ds.members, ds.orgs
    assert len(m) == 100_000
    as_of = pd.Timestamp(ds.as_of)
    birth = m["birth_date"]
    age = as_of.year - birth.dt.year - ((birth.dt.month > as_of.month) |
                                        ((birth.dt.month == as_of.month) & (birth.dt.day > as_of.day)))

    def near(share, target, tol=0.02):
        assert abs(share - target) <= tol, (share, target)

    near((m["gender"] == "女").mean(), 0.309)
    near((m["ethnicity"] != "汉族").mean(), 0.077)
    near(m["education"].isin(["研究生", "大学本科", "大学专科"]).mean(), 0.576)
    near((m["occupation"] == "离退休人员").mean(), 0.214)
    bands = pd.cut(age, [0, 30, 35, 40, 45, 50, 55, 60, 200], labels=False)
    for i, target in enumerate((0.122, 0.107, 0.114, 0.097, 0.090, 0.094, 0.086, 0.289)):
        near((bands == i).mean(), target)
    near((m["status"] == "预备党员").mean(), 0.03, 0.01)
    near((m["mobile"] == "是").mean(), 0.05, 0.01)
    types = o["org_type"].astype(str)
    near(types.isin(["党委", "党工委"]).mean(), 0.058)
    near((types == "党总支").mean(), 0.063)
    near(types.isin(["党支部", "联合党支部", "临时党支部"]).mean(), 0.879)
    # new members of the quarter (a few hundred: a looser bound)
    new = m[m["joined"] >= pd.Timestamp(ds.period.start)]
    assert 400 < len(new) < 1200
    near((age[new.index] <= 35).mean(), 0.837, 0.04)
    near(new["education"].isin(["研究生", "大学本科", "大学专科"]).mean(), 0.544, 0.05)


# --------------------------------------------------------------------------- clean sets


def test_clean_set_has_no_errors_and_the_expected_shape(tmp_path):
    res = generate(tmp_path / "2026Q3", members=3000, workbooks=8, seed=11, jobs=1)
    assert res.manifest is None and not (tmp_path / "2026Q3" / ".manifest.csv").exists()
    assert len(res.files) == 8 and res.files[-1] == "08_两新组织.xlsx"
    assert [f[:3] for f in res.files] == [f"{i:02d}_" for i in range(1, 9)]
    for street in ("望湖街道", "临江街道", "金桥街道", "松岭街道", "柳河镇", "文昌街道"):
        assert any(street in f for f in res.files)
    assert sum(f.endswith(("_1.xlsx", "_2.xlsx")) for f in res.files) == 2  # 7 sub-units: one street in two
    ds = load(tmp_path / "2026Q3", period="2026Q3")
    assert ds.error_count == 0, ds.issues.to_string()
    assert set(ds.issues["rule"]) <= NATURAL_WARNINGS
    rec = ds.reconciliation
    assert (rec["rows_read"] == rec["rows_used"]).all()
    assert (len(ds.members), len(ds.orgs), len(ds.units)) == (3000, res.counts["orgs"], res.counts["units"])
    assert sorted(ds.meta["units"])[0].startswith("中共示例区")
    # each organization's rows are in exactly one workbook; the units come from the last one
    assert ds.orgs["_file"].nunique() == 7 and set(ds.units["_file"]) == {"08_两新组织.xlsx"}
    by_org = ds.members.groupby("org_id", observed=True)["_file"].nunique()
    assert (by_org == 1).all()


@pytest.mark.parametrize("k", [1, 3, 12])
def test_number_of_workbooks(tmp_path, k):
    res = generate(tmp_path / "2026Q3", members=1500, workbooks=k, seed=2, jobs=1)
    assert len(res.files) == k
    assert all((tmp_path / "2026Q3" / f).exists() for f in res.files)
    ds = load(tmp_path / "2026Q3", period="2026Q3")
    assert ds.error_count == 0
    assert len(ds.members) == 1500 and len(ds.units) == res.counts["units"]


def test_refuses_a_folder_with_other_files(tmp_path):
    (tmp_path / "2026Q3").mkdir()
    (tmp_path / "2026Q3" / "别的单位.xlsx").write_bytes(b"x")
    with pytest.raises(FileExistsError, match="请指定一个空目录"):
        generate(tmp_path / "2026Q3", members=300, workbooks=2)


# --------------------------------------------------------------------------- the district itself


@pytest.fixture(scope="module")
def district():
    return build_district(6000, seed=21)


def test_people_are_synthetic_and_consistent(district):
    m = district.members
    ids = m["id_number"]
    assert ids.str.fullmatch(r"99010[1-6]\d{11}[\dX]").all()  # made-up area codes only
    assert all(check_char(i[:17]) == i[17] for i in ids)  # valid GB 11643 check characters
    assert ids.is_unique
    assert (ids.str.slice(6, 14) == m["birth_date"].dt.strftime("%Y%m%d")).all()
    odd = ids.str.slice(16, 17).astype(int) % 2 == 1
    assert ((m["gender"] == "男") == odd).all()
    phones = m["phone"].dropna()
    assert phones.str.fullmatch(r"1[3-9]\d{9}").all()
    assert m["name"].str.len().between(2, 3).all()
    eighteen = m["birth_date"] + pd.DateOffset(years=18)
    assert (m["joined"] > eighteen).all()
    full = m["full_member_since"].notna()
    assert (m.loc[full, "full_member_since"] > m.loc[full, "joined"]).all()
    assert ((m["status"] == "预备党员") == ~full).all()
    assert (m["full_member_since"].dropna() <= pd.Timestamp(district.period.as_of)).all()


def test_organization_tree(district):
    o = district.orgs
    assert o["org_id"].is_unique and o["name"].is_unique
    assert set(o["area"]) == {"望湖街道", "临江街道", "金桥街道", "松岭街道", "柳河镇", "文昌街道"}
    tops = o[o["parent_id"].isna()]
    assert len(tops) == 6 and set(tops["org_type"]) == {"党工委", "党委"}
    assert o["parent_id"].dropna().isin(o["org_id"]).all()
    # members only in branches; most branches have 8–45 members, a few outliers on purpose
    counts = district.members.groupby("org_id").size()
    assert set(o.set_index("org_id").loc[counts.index, "org_type"]) <= {"党支部", "联合党支部"}
    branches = o[o["org_type"].isin(["党支部", "联合党支部"])].set_index("org_id")
    size = counts.reindex(branches.index, fill_value=0)
    full = district.members[district.members["status"] == "正式党员"].groupby("org_id").size()
    full = full.reindex(branches.index, fill_value=0)
    assert size.between(8, 45).mean() > 0.6
    assert (size > 50).sum() >= 2 and (full < 3).sum() >= 2
    current = district.committee[district.committee["term"] == "本届"]
    no_committee_7plus = (full >= 7) & ~full.index.isin(current["org_id"])
    assert no_committee_7plus.sum() >= 2


def test_committees_and_secretaries(district):
    c, o = district.committee, district.orgs.set_index("org_id")
    current, previous = c[c["term"] == "本届"], c[c["term"] == "上届"]
    per_org = current.groupby("org_id").agg(size=("name", "size"),
                                           secretaries=("role", lambda r: (r == "书记").sum()))
    assert (per_org["secretaries"] == 1).all()
    assert per_org["size"].between(3, 9).all()
    sec = current[current["role"] == "书记"].set_index("org_id")["name"]
    assert (o.loc[sec.index, "secretary"] == sec).all()  # the 党组织 sheet names the same secretary
    # re-election: about half, matched by ID or (when an ID is missing) by name and birth date
    assert previous["id_number"].isna().mean() > 0.03
    same = current.merge(previous, on=["org_id", "name", "birth_date"], suffixes=("", "_prev"))
    share = len(same) / len(current)
    assert 0.4 < share < 0.7
    promoted = same[(same["role"] == "书记") & (same["role_prev"] == "委员")]
    assert len(promoted) >= 1
    assert c["id_number"].dropna().isin(district.members["id_number"]).all()


def test_elections_and_terms(district):
    e, o = district.elections, district.orgs.set_index("org_id")
    p = district.period
    in_period = e[(e["date"] >= pd.Timestamp(p.start)) & (e["date"] <= pd.Timestamp(p.end))]
    assert len(in_period) >= 10
    assert (e["present"] <= e["eligible"]).all() and (e["candidates"] >= e["seats"]).all()
    assert ((e["present"] <= 0.8 * e["eligible"])).sum() >= 1  # invalid quorum, a finding
    margin = (e["seats"] >= 3) & (e["candidates"] < np.ceil(e["seats"] * 1.2 - 1e-9))
    assert margin.sum() >= 1
    years = o.loc[e["org_id"], "org_type"].map(schema.TERM_YEARS_DEFAULT).to_numpy()
    term_end = [d + pd.DateOffset(years=int(y)) for d, y in zip(e["previous_date"], years)]
    late = e["date"].to_numpy() > np.array(term_end, dtype="datetime64[ns]")
    assert 0 < late.sum() < len(e)
    assert (o.loc[e["org_id"], "last_election"].to_numpy() == e["date"].to_numpy()).all()
    ends = o["last_election"] + pd.to_timedelta(0, "D")
    ends = pd.Series([d + pd.DateOffset(years=int(y)) for d, y in
                      zip(o["last_election"], o["org_type"].map(schema.TERM_YEARS_DEFAULT))], index=o.index)
    as_of = pd.Timestamp(p.as_of)
    overdue = ends < as_of
    assert overdue.sum() >= 5 and (ends < as_of - pd.DateOffset(months=12)).sum() >= 1
    assert ((ends > as_of) & (ends <= as_of + pd.DateOffset(months=6))).sum() >= 5  # due soon
    by_area = o[overdue].groupby("area").size()
    assert by_area.idxmax() == "柳河镇"


def test_two_new_units(district):
    u, o = district.units, district.orgs.set_index("org_id")
    built = u["party_org"] != "未建立"
    assert 0.55 < built.mean() < 0.85
    assert u.loc[built, "org_id"].isin(o.index).all() and u.loc[~built, "org_id"].isna().all()
    assert set(o.loc[u.loc[built, "org_id"], "sector"]) <= {"非公有制企业", "社会组织"}
    assert (o.loc[u.loc[u["party_org"] == "联合组建", "org_id"], "org_type"] == "联合党支部").all()
    assert u.groupby("org_id").size().max() <= 5
    assert (u.loc[~built, "has_instructor"] == "是").mean() > 0.4
    emp = u["employees"]
    assert emp.max() > 5 * emp.median() and emp.mean() > 1.3 * emp.median()  # heavy-tailed
    codes = u["credit_code"].dropna()
    assert codes.is_unique and len(codes) > 0.8 * len(u)
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    for code in codes:
        total = sum(chars.index(ch) * w for ch, w in zip(code[:17], weights))
        assert chars[(31 - total % 31) % 31] == code[17]
    single = u[u["party_org"] == "单独组建"].set_index("org_id")["party_members"]
    roster = district.members.groupby("org_id").size()
    assert (roster.reindex(single.index) == single).all()  # the unit's 党员人数 is its branch's roster


def test_previous_quarter(district):
    prev = district.previous()
    assert prev.period.label == "2026Q2"
    cur_ids, prev_ids = set(district.members["id_number"]), set(prev.members["id_number"])
    joined_now = district.members[district.members["joined"] >= pd.Timestamp(district.period.start)]
    assert cur_ids - prev_ids == set(joined_now["id_number"])
    left = prev_ids - cur_ids
    assert 0 < len(left) < 0.01 * len(cur_ids)
    assert (prev.elections["date"] <= pd.Timestamp(prev.period.end)).all()
    assert len(prev.elections) < len(district.elections)
    converted = prev.members.merge(district.members, on="id_number", suffixes=("_p", "_c"))
    became_full = (converted["status_p"] == "预备党员") & (converted["status_c"] == "正式党员")
    assert became_full.sum() > 0
    assert (prev.orgs["org_id"] == district.orgs["org_id"]).all()
    redo = district.orgs["last_election"] > pd.Timestamp(prev.period.end)
    assert redo.sum() > 0 and (prev.orgs.loc[redo, "last_election"] < district.orgs.loc[redo, "last_election"]).all()
    pc = prev.committee[prev.committee["term"] == "本届"]
    assert (pc.groupby("org_id")["role"].apply(lambda r: (r == "书记").sum()) == 1).all()


# --------------------------------------------------------------------------- messy sets


def test_messy_set_reports_exactly_the_planted_problems(messy):
    for res in (messy, messy.previous):
        manifest = read_manifest(res.manifest)
        assert res.manifest == res.out_dir / ".manifest.csv"
        assert set(manifest["rule"]) >= {
            "row.id_invalid", "row.id_mismatch", "row.id_numeric", "set.duplicate_member", "row.required",
            "row.enum", "row.date", "row.date_range", "set.unknown_org", "row.present_gt_eligible",
            "row.phone", "row.credit_code"}
        ds = load(res.out_dir, period=res.period)
        check_against_manifest(ds, manifest)


def test_messy_set_has_the_mess_of_spec_5(messy):
    import openpyxl

    folder = messy.out_dir
    assert any(f.endswith(".xls") for f in messy.files) and any(f.endswith(".csv") for f in messy.files)
    csv = next(folder / f for f in messy.files if f.endswith(".csv"))
    raw = csv.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("gbk").splitlines()[0].count(",") == len(schema.MEMBERS.fields) - 1
    merged = titled = 0
    for f in messy.files:
        if f.endswith(".xlsx"):
            wb = openpyxl.load_workbook(folder / f, read_only=False)
            for ws in wb.worksheets[1:]:
                ranges = [str(r) for r in ws.merged_cells.ranges]
                titled += any(r.startswith("A1:") and r.endswith("1") for r in ranges)
                merged += any(r.endswith("2") and r[0] == r.split(":")[1][0] for r in ranges)
    assert titled >= 2 and merged >= 1
    # header aliases and value aliases are written, and read as the canonical fields and values
    ds = load(folder, period="2026Q3")
    aliased = []
    for f in messy.files:
        if not f.endswith(".xlsx"):
            continue
        for ws in openpyxl.load_workbook(folder / f, read_only=True).worksheets:
            rows = list(ws.iter_rows(max_row=6, values_only=True))
            cells = {str(c) for row in rows for c in row if c is not None}
            if ws.title in schema.MEMBERS.names and cells & set(schema.MEMBERS.field("id_number").aliases):
                aliased.append(f)
                assert cells & {"本科", "大专", "硕士", "博士", "专科", "高职", "大本", "大学"}, f
    assert aliased
    rows = ds.members[ds.members["_file"].isin(aliased)]
    assert len(rows) > 100 and rows["id_number"].notna().all()
    assert set(rows["education"].astype(str)) <= set(schema.EDUCATION.values)
    assert rows["birth_date"].notna().all() and rows["joined"].notna().mean() > 0.99


def test_messy_does_not_change_the_statistics_beyond_the_planted_rows(tmp_path):
    clean = generate(tmp_path / "clean" / "2026Q3", members=2000, workbooks=5, seed=9, jobs=1)
    messy = generate(tmp_path / "messy" / "2026Q3", members=2000, workbooks=5, seed=9, messy=True, jobs=1)
    a = load(clean.out_dir, period="2026Q3")
    b = load(messy.out_dir, period="2026Q3")
    manifest = read_manifest(messy.manifest)
    # only rows whose rule leaves them out are missing (SPEC §2: a bad value makes the field
    # unknown, the row is counted); a duplicate is a planted copy, so one copy remains
    drops = manifest["rule"].map(lambda r: RULES[r].drops_row).astype(bool)
    dropped_members = manifest[drops & manifest["sheet"].str.startswith("党员")
                               & (manifest["rule"] != "set.duplicate_member")]
    assert len(b.members) == len(a.members) - len(dropped_members)
    assert len(b.orgs) == len(a.orgs) and len(b.units) == len(a.units)
    assert len(b.elections) == len(a.elections)  # 实到多于应到: counted, both figures unknown
    common = b.members["id_number"].dropna()
    assert common.isin(a.members["id_number"]).mean() > 0.99


# --------------------------------------------------------------------------- data_samples/


def test_bundled_sample_matches_its_manifests():
    for period in ("2026Q3", "2026Q2"):
        folder = SAMPLES / period
        assert (folder / "narrative.yaml").exists()
        assert not any(p.name.startswith(".") for p in folder.iterdir())
        ds = load(folder, period=period)
        check_against_manifest(ds, read_manifest(SAMPLES / "manifests" / f"{period}.csv"))
        assert 8000 <= len(ds.members) <= 10000 and len(ds.orgs) >= 300 and len(ds.units) >= 150
        assert ds.orgs["area"].nunique() == 6
        kinds = {p.suffix for p in folder.iterdir()}
        assert {".xlsx", ".xls", ".csv"} <= kinds


def test_bundled_sample_is_reproducible(tmp_path):
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path)
    built = _tree_bytes(tmp_path)
    committed = {k: v for k, v in _tree_bytes(SAMPLES).items()
                 if k.split("/")[0] in ("2026Q2", "2026Q3", "manifests")}
    assert sorted(built) == sorted(committed)
    for name in built:
        assert built[name] == committed[name], f"{name} differs: run `make samples`"


def test_narrative_has_the_expected_keys():
    import yaml

    data = yaml.safe_load((SAMPLES / "narrative.yaml").read_text(encoding="utf-8"))
    assert set(data) == {"主要做法", "经验成效", "下步工作", "调研说明"}
    for key in ("主要做法", "下步工作"):
        assert all(set(item) == {"标题", "正文"} and len(item["标题"]) <= 30 for item in data[key])
    assert all(0 < s.find("。") <= 40 for s in data["经验成效"])  # a short lead sentence first
    assert isinstance(data["调研说明"], str) and "虚构" in data["调研说明"]
    for period in ("2026Q2", "2026Q3"):
        assert (SAMPLES / period / "narrative.yaml").read_bytes() == (SAMPLES / "narrative.yaml").read_bytes()
