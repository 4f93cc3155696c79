"""Value dictionaries (issue 16): the words real rosters and party-affairs systems use for 学历,
工作岗位, 所属领域, 民族, 性别, 人员类别 and 是/否 are counted in the reporting categories, with no
issue; a word outside them is one issue."""

from __future__ import annotations

import pytest

import reportgen
from conftest import write_workbook
from reportgen import schema

O, M = schema.ORGS, schema.MEMBERS

# written → the category it must be counted in (the expectation is this table, not the schema's)
EDUCATION = {
    "研究生": "研究生", "大学本科": "大学本科", "大学专科": "大学专科", "中等专科": "中专",
    "职业高中": "高中、中技", "技工学校": "高中、中技", "普通高中": "高中、中技", "初中": "初中及以下",
    "小学": "初中及以下", "中央党校研究生": "研究生", "中央党校大学": "大学本科",
    "省（区、市）委党校大学": "大学本科", "省委党校大专": "大学专科", "党校研究生": "研究生",
    "党校大学": "大学本科", "党校大专": "大学专科", "在职研究生": "研究生", "博士研究生": "研究生",
    "硕士研究生": "研究生", "双学士": "大学本科", "博士及以上": "研究生", "硕士": "研究生",
    "本科": "大学本科", "专科": "大学专科", "高中及以下": "高中、中技", "省(区,市)委党校 大专": "大学专科",
}
OCCUPATION = {
    "企事业单位、民办非企业单位专业技术人员": "企事业单位、社会组织专业技术人员",
    "企事业单位、民办非企业单位管理人员": "企事业单位、社会组织管理人员",
    "工人": "工人（工勤技能人员）", "农牧渔民": "农牧渔民", "党政机关工作人员": "党政机关工作人员",
    "学生": "学生", "其他职业人员": "其他职业人员", "离退休人员": "离退休人员", "军人武警": "其他职业人员",
    "公有制经济控制企业专业技术人员": "企事业单位、社会组织专业技术人员",
    "非公有制经济控制企业管理人员": "企事业单位、社会组织管理人员",
    "社会组织专业技术人员": "企事业单位、社会组织专业技术人员",
    "事业单位管理人员": "企事业单位、社会组织管理人员", "农民工": "工人（工勤技能人员）",
    "离休干部": "离退休人员", "退休人员": "离退休人员", "工人(工勤技能人员)": "工人（工勤技能人员）",
    "企事业单位、社会组织专业技术人员": "企事业单位、社会组织专业技术人员",
    "企事业单位、社会组织管理人员": "企事业单位、社会组织管理人员",
    "非公有制经济控制企业工人": "工人（工勤技能人员）", "自由职业人员": "其他职业人员",
    "参照公务员法管理人员": "党政机关工作人员", "退休干部": "离退休人员", "在校学生": "学生",
    "农民": "农牧渔民", "事业单位专业技术人员": "企事业单位、社会组织专业技术人员",
}
SECTOR = {  # org code → (written, category)
    "S01": ("党政机关", "机关"), "S02": ("街道社区", "城市社区"), "S03": ("其他事业单位", "事业单位"),
    "S04": ("公立医院", "事业单位"), "S05": ("中小学校", "学校"), "S06": ("高等学校", "学校"),
    "S07": ("国有企业", "国有企业"), "S08": ("非公有制企业", "非公有制企业"), "S09": ("社会组织", "社会组织"),
    "S10": ("农村（行政村）", "农村"), "S11": ("城市社区", "城市社区"), "S12": ("①机关", "机关"),
}
ETHNICITY = ["汉", "汉族", "汉", "回", "满", "蒙古", "壮族", "维族", "土家"]  # 6 minorities in 9
GENDER = ["1", "2", "男性", "女性", "男", "女"]  # female: 2, 女性, 女
STATUS = ["正式党员", "预备党员", "正式", "预备", "正", "预"]
MOBILE = ["√", "✓", "×", "Y", "N", "1", "0", "是", "否"]  # yes: √ ✓ Y 1 是


def _orgs_sheet():
    head = [f.header for f in O.fields]

    def row(**v):
        return [v.get(f.key) for f in O.fields]

    rows = [head, row(org_id="S00", name="示例党委", org_type="党委", sector="机关", area="东片",
                      last_election="2024-06-18", secretary="甲")]
    for code, (written, _) in SECTOR.items():
        rows.append(row(org_id=code, name=f"{code}支部", parent_id="S00", org_type="党支部", sector=written,
                        area="东片", last_election="2024-06-18", secretary="乙"))
    return rows


def _members_sheet(extra: list[dict] = ()):
    head = [f.header for f in M.fields]
    rows = [head]
    edu, occ = list(EDUCATION), list(OCCUPATION)
    for i in range(len(edu)):
        v = dict(name=f"党员{i:02d}", gender=GENDER[i % 6], birth_date=f"{1960 + i}-03-01",
                 ethnicity=ETHNICITY[i % 9], education=edu[i], joined="2010-07-01", status=STATUS[i % 6],
                 org_id="S01", occupation=occ[i], mobile=MOBILE[i % 9])
        rows.append([v.get(f.key) for f in M.fields])
    for v in extra:
        rows.append([v.get(f.key) for f in M.fields])
    return rows


def _load(tmp_path, extra=()):
    folder = tmp_path / "2026Q3"
    write_workbook(folder / "a.xlsx", {O.name: _orgs_sheet(), M.name: _members_sheet(list(extra))})
    return reportgen.load(folder, period="2026Q3")


def _counts(table, label: str) -> dict[str, int]:
    return {k: int(n) for k, n in zip(table[label], table["人数" if "人数" in table else "个数"]) if n}


def _expected(column: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in column:
        out[c] = out.get(c, 0) + 1
    return out


def test_every_vocabulary_family_counts_in_its_category(tmp_path):
    ds = _load(tmp_path)
    assert ds.issues.empty, ds.issues[["sheet", "row", "column", "value", "rule"]].to_dict("records")
    n = len(EDUCATION)
    assert len(ds.members) == n and len(ds.orgs) == 1 + len(SECTOR)
    ind = reportgen.compute(ds)
    assert _counts(ind.table("members.education"), "学历") == _expected(list(EDUCATION.values()))
    assert _counts(ind.table("members.by_occupation"), "工作岗位") == _expected(list(OCCUPATION.values()))
    sectors = [c for _, c in SECTOR.values()] + ["机关"]
    assert _counts(ind.table("orgs.by_sector"), "所属领域") == _expected(sectors)
    eth = [ETHNICITY[i % 9] for i in range(n)]
    minority = sum(e not in ("汉", "汉族") for e in eth)
    assert ind["members.minority_share"] == pytest.approx(minority / n)
    female = sum(GENDER[i % 6] in ("2", "女性", "女") for i in range(n))
    assert ind["members.female_share"] == pytest.approx(female / n)
    full = sum(STATUS[i % 6] in ("正式党员", "正式", "正") for i in range(n))
    assert (ind["members.full"], ind["members.probationary"]) == (full, n - full)
    mobile = sum(MOBILE[i % 9] in ("√", "✓", "Y", "1", "是") for i in range(n))
    assert ind["members.mobile_share"] == pytest.approx(mobile / n)
    assert set(ds.members["ethnicity"].astype(str)) <= set(schema.ETHNICITIES)


@pytest.mark.parametrize("key, value", [("education", "中等职业教育"), ("occupation", "宇航员"),
                                        ("ethnicity", "火星族"), ("gender", "3"), ("mobile", "③")])
def test_a_value_outside_the_vocabulary_is_one_issue(tmp_path, key, value):
    extra = dict(name="外来", gender="男", birth_date="1980-01-01", ethnicity="汉族", education="本科",
                 joined="2010-07-01", org_id="S01", occupation="工人", mobile="否")
    ds = _load(tmp_path, [{**extra, key: value}])
    assert len(ds.issues) == 1, ds.issues[["row", "column", "value", "rule"]].to_dict("records")
    line = ds.issues.iloc[0]
    assert (line["rule"], line["row"], line["column"], line["value"]) == (
        "row.enum", len(EDUCATION) + 2, M.header(key), value)


def test_circled_digit_alone_is_not_guessed(tmp_path):
    folder = tmp_path / "2026Q3"
    rows = _orgs_sheet()
    rows[-1][O.keys.index("sector")] = "③"  # printed forms' codes: no legend here, so unknown
    write_workbook(folder / "a.xlsx", {O.name: rows, M.name: _members_sheet()})
    ds = reportgen.load(folder, period="2026Q3")
    assert ds.issues[["row", "column", "value", "rule"]].to_dict("records") == [
        {"row": len(rows), "column": "所属领域", "value": "③", "rule": "row.enum"}]


@pytest.mark.parametrize("enum, written, canonical", [
    (schema.EDUCATION, "省（自治区、直辖市）委党校大学", "大学本科"),
    (schema.EDUCATION, " 中央党校 研究生 ", "研究生"),
    (schema.EDUCATION, "【省委党校】大专", "大学专科"),  # a bracketed note is dropped: "大专"
    (schema.SECTOR, "城市社区（居委会）", "城市社区"),
    (schema.SECTOR, "2、国有企业", "国有企业"),
    (schema.OCCUPATION, "工人（工勤技能人员）", "工人（工勤技能人员）"),
    (schema.YES_NO, "①", None),  # NFKC would make it "1": a circled digit alone is not guessed
    (schema.GENDER, "２", "女"),
])
def test_forgiving_lookup(enum, written, canonical):
    import pandas as pd

    from reportgen.ingest import normalize as nz
    got = nz.map_enum(pd.Series([written, None], dtype="string"), enum)
    assert got["value"].iloc[0] == canonical if canonical else pd.isna(got["value"].iloc[0])
    assert got["bad"].tolist() == [canonical is None, False]


def test_id_numbers_lose_what_hides_around_them():
    import pandas as pd

    from conftest import person_id
    from reportgen.ingest import idcard
    pid = person_id("19800229", False, 4)
    written = ["'" + pid, pid[:-1] + pid[-1].lower(), "\u3000" + pid + "\u3000", "\t" + pid, pid + "\u200b",
               "\u00a0" + pid, "".join(chr(ord(c) + 0xFEE0) for c in pid), "’" + pid]
    assert idcard.normalize(pd.Series(written, dtype="string")).tolist() == [pid.upper()] * len(written)
