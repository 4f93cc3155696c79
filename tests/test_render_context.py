"""The report context built from real indicators of a small hand-made district (示例区).

``district()`` is also the data of the other render tests: two quarters of a fictional district
with overdue and due-soon organizations, elections with re-elected and new committee members,
development in the period and 两新组织. Names are invented; no ID numbers are used.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from reportgen.dataset import Dataset
from reportgen.indicators import compute
from reportgen.periods import Period
from reportgen.render.context import district_name, report_context

Q3 = Period(2026, 3)
Q2 = Period(2026, 2)
TEMPLATE_NAME = "{{ 7*7 }}科技有限公司党支部"
FORMULA_NAME = '=HYPERLINK("http://example.com","点我")'

ORGS = [
    # org_id, name, parent, type, sector, area, last_election, secretary, union chair
    ("A", "中共示例区城东街道工作委员会", None, "党工委", "机关", "城东街道", "2024-03-10", "周明", "否"),
    ("A1", "中共示例区城东街道第一社区委员会", "A", "党委", "城市社区", "城东街道", "2026-08-12", "吴芳", "否"),
    ("A2", "中共示例区城东街道第二社区支部委员会", "A", "党支部", "城市社区", "城东街道", "2026-07-20", "郑强", "否"),
    ("A3", TEMPLATE_NAME, "A", "党支部", "非公有制企业", "城东街道", "2022-05-01", "王磊", "是"),
    ("A4", "中共示例区城东街道第三社区支部委员会", "A", "党支部", "城市社区", "城东街道", "2023-12-01", None, "否"),
    ("B", "中共示例区城西街道工作委员会", None, "党工委", "机关", "城西街道", "2024-04-01", "冯洁", "否"),
    ("B1", FORMULA_NAME, "B", "党支部", "非公有制企业", "城西街道", "2023-02-15", "陈刚", "是"),
    ("B2", "示例区城西商会党支部", "B", "党支部", "社会组织", "城西街道", "2026-09-05", "褚红", "是"),
    ("B3", "中共示例区城西街道老年协会支部委员会", "B", "党支部", "社会组织", "城西街道", "2025-06-01", "卫东", "否"),
    ("C1", "示例区高新园区联合党支部", None, "联合党支部", "非公有制企业", "高新园区", "2025-01-10", "蒋平", "是"),
]

FIRST = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
SECOND = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
EDU = ["研究生", "大学本科", "大学本科", "大学专科", "中专", "高中、中技", "初中及以下", "大学专科"]
JOBS = ["企事业单位、社会组织专业技术人员", "企事业单位、社会组织管理人员", "工人（工勤技能人员）",
        "离退休人员", "离退休人员", "党政机关工作人员", "其他职业人员"]


def _members(n_per_org: dict[str, int], joined_in_q3: dict[str, int]) -> pd.DataFrame:
    rows = []
    k = 0
    for org_id, n in n_per_org.items():
        for i in range(n):
            k += 1
            year = 1950 + (k * 7) % 50
            rows.append(dict(
                name=f"{FIRST[k % len(FIRST)]}{SECOND[(k * 3) % len(SECOND)]}{k}",
                gender="女" if k % 3 == 0 else "男", ethnicity="回族" if k % 13 == 0 else "汉族",
                birth_date=f"{year}-{(k % 12) + 1:02d}-15", education=EDU[k % len(EDU)],
                joined=f"{year + 25}-07-01", full_member_since=f"{year + 26}-07-01", status="正式党员",
                org_id=org_id, occupation=JOBS[k % len(JOBS)], mobile="是" if k % 17 == 0 else "否"))
        for i in range(joined_in_q3.get(org_id, 0)):
            k += 1
            rows.append(dict(
                name=f"{FIRST[k % len(FIRST)]}{SECOND[k % len(SECOND)]}新{k}", gender="女" if i % 2 else "男",
                ethnicity="汉族", birth_date=f"{1994 + i % 8}-03-0{1 + i % 9}", education=EDU[i % 4],
                joined=f"2026-0{7 + i % 3}-01", full_member_since=None, status="预备党员", org_id=org_id,
                occupation=JOBS[i % 3], mobile="否"))
    return pd.DataFrame(rows)


def _committee() -> pd.DataFrame:
    def person(org, term, name, gender, birth, edu, role):
        return dict(org_id=org, term=term, name=name, gender=gender, birth_date=birth, education=edu, role=role)

    rows = []
    # A1: 5 seats; secretary re-elected; 2 re-elected members, 2 new (one woman more)
    rows += [person("A1", "上届", "吴芳", "女", "1972-04-01", "大学本科", "书记"),
             person("A1", "上届", "孙浩", "男", "1968-02-01", "大学专科", "委员"),
             person("A1", "上届", "李军", "男", "1965-06-01", "中专", "委员"),
             person("A1", "上届", "周伟", "男", "1970-09-01", "大学本科", "委员"),
             person("A1", "上届", "钱明", "男", "1963-01-01", "高中、中技", "委员")]
    rows += [person("A1", "本届", "吴芳", "女", "1972-04-01", "大学本科", "书记"),
             person("A1", "本届", "孙浩", "男", "1968-02-01", "大学专科", "副书记"),
             person("A1", "本届", "周伟", "男", "1970-09-01", "大学本科", "委员"),
             person("A1", "本届", "陈静", "女", "1988-05-01", "研究生", "委员"),
             person("A1", "本届", "杨洋", "女", "1990-11-01", "大学本科", "委员")]
    # A2: 3 seats; a member promoted to secretary (re-elected, but not a re-elected secretary)
    rows += [person("A2", "上届", "郑刚", "男", "1960-03-01", "高中、中技", "书记"),
             person("A2", "上届", "郑强", "男", "1975-08-01", "大学专科", "委员"),
             person("A2", "上届", "何敏", "女", "1980-01-01", "大学本科", "委员")]
    rows += [person("A2", "本届", "郑强", "男", "1975-08-01", "大学专科", "书记"),
             person("A2", "本届", "何敏", "女", "1980-01-01", "大学本科", "委员"),
             person("A2", "本届", "许磊", "男", "1992-07-01", "大学本科", "委员")]
    # B2: 3 seats, all new but the secretary
    rows += [person("B2", "上届", "褚红", "女", "1978-12-01", "大学本科", "书记"),
             person("B2", "上届", "韩涛", "男", "1958-05-01", "初中及以下", "委员"),
             person("B2", "上届", "朱勇", "男", "1961-10-01", "中专", "委员")]
    rows += [person("B2", "本届", "褚红", "女", "1978-12-01", "大学本科", "书记"),
             person("B2", "本届", "秦娜", "女", "1991-02-01", "大学本科", "委员"),
             person("B2", "本届", "尤杰", "男", "1986-06-01", "大学专科", "委员")]
    return pd.DataFrame(rows)


PLAIN_NAMES = {TEMPLATE_NAME: "中共示例区星河科技有限公司支部委员会",
               FORMULA_NAME: "中共示例区远航物流有限公司支部委员会"}


def _orgs(tricky: bool = True) -> pd.DataFrame:
    cols = ["org_id", "name", "parent_id", "org_type", "sector", "area", "last_election", "secretary",
            "secretary_union_chair"]
    frame = pd.DataFrame(ORGS, columns=cols)
    if not tricky:
        frame["name"] = frame["name"].replace(PLAIN_NAMES)
    return frame


def _units() -> pd.DataFrame:
    def unit(name, employees, party_org, org_id=None, location="科技园", instructor="否", union="否",
             youth="否", women="否", unit_type="非公有制企业"):
        return dict(unit_name=name, unit_type=unit_type, employees=employees, party_org=party_org,
                    org_id=org_id, location=location, has_instructor=instructor, has_union=union,
                    has_youth_league=youth, has_women_org=women)

    return pd.DataFrame([
        unit("示例区星河科技有限公司", 320, "单独组建", "A3", union="是", youth="是", women="是"),
        unit("示例区远航物流有限公司", 150, "单独组建", "B1", location="商务楼宇一号", union="是"),
        unit("示例区青禾软件有限公司", 120, "未建立", instructor="是"),
        unit("示例区城西商会", 60, "单独组建", "B2", location="城西社区", union="是", women="是",
             unit_type="社会组织"),
        unit("示例区长者服务中心", 40, "单独组建", "B3", location="城西社区", unit_type="社会组织"),
        unit("示例区云端设计工作室", 12, "联合组建", "C1", union="是"),
        unit("示例区小满餐饮店", 8, "联合组建", "C1"),
        unit("示例区晨光印刷厂", 30, "未建立"),
        unit("示例区启明培训学校", 25, "未建立", instructor="是", unit_type="社会组织"),
        unit("示例区蓝海贸易有限公司", 75, "未建立", location="商务楼宇一号"),
    ])


SIZES = {"A": 9, "A1": 14, "A2": 8, "A3": 6, "A4": 9, "B": 7, "B1": 5, "B2": 6, "B3": 11, "C1": 4}


def district(previous: bool = True, tricky: bool = True) -> tuple[Dataset, Dataset | None]:
    """(Q3 dataset, Q2 dataset) of 示例区; ``tricky`` names two organizations with template code
    and a formula."""
    elections = pd.DataFrame([
        dict(org_id="A1", date="2026-08-12", method="党员大会", eligible=14, present=13, seats=5, candidates=6),
        dict(org_id="A2", date="2026-07-20", method="党员大会", eligible=8, present=6, seats=3, candidates=4),
        dict(org_id="B2", date="2026-09-05", method="党员大会", eligible=6, present=6, seats=3, candidates=3),
    ])
    ds = Dataset.from_frames(Q3, orgs=_orgs(tricky), members=_members(SIZES, {"A1": 3, "B2": 2, "C1": 1}),
                             elections=elections, committee=_committee(), units=_units())
    ds.meta = {"units": ["示例区城东街道党工委", "示例区城西街道党工委"]}
    prev = None
    if previous:
        smaller = {k: (v - 1 if k in ("A1", "B3") else v) for k, v in SIZES.items()}
        orgs = _orgs(tricky)
        orgs.loc[orgs["org_id"] == "A1", "last_election"] = "2021-08-10"
        orgs.loc[orgs["org_id"] == "A2", "last_election"] = "2023-07-01"
        orgs.loc[orgs["org_id"] == "B2", "last_election"] = "2023-09-01"
        prev = Dataset.from_frames(Q2, orgs=orgs, members=_members(smaller, {}), units=_units().iloc[:8])
        prev.meta = dict(ds.meta)
    return ds, prev


@pytest.fixture(scope="module")
def ctx():
    ds, prev = district()
    return report_context(compute(ds, previous=prev))


def test_district_from_cover_units():
    assert district_name({"units": ["示例区城东街道党工委", "示例区城西街道党工委"]}) == "示例区"
    assert district_name({"units": ["城东街道党工委", "城西街道党工委"]}) == "全区"
    assert district_name({"units": ["中共示例区望湖街道工作委员会", "中共示例区两新组织工作委员会"]}) == "示例区"
    assert district_name({"district": "样例县"}) == "样例县"
    assert district_name({}, "城东街道") == "城东街道"


def test_context_has_every_spec_id_and_derived_values(ctx):
    assert ctx["district"] == "示例区"
    assert ctx["title"] == "示例区2026年第三季度基层党组织和党员队伍统计分析报告"
    assert ctx["as_of_zh"] == "2026年9月30日"
    assert ctx["orgs"]["total"] == 10
    assert ctx["orgs"]["type_phrase"] == "党委1个、党工委2个、党支部6个、联合党支部1个"
    # A3 (term ended 2025-05-01, 16 months), B1 (2026-02-15, 7 months): overdue; A4 due 2026-12-01
    assert ctx["elections"]["overdue_count"] == 2
    assert ctx["elections"]["overdue_serious_count"] == 1
    assert ctx["elections"]["due_soon_count"] == 1
    assert ctx["elections"]["held"] == 3
    assert ctx["development"]["total"] == 6
    assert ctx["has_previous"] is True
    assert ctx["members"]["total_delta"] == 2 + 6  # two fewer members and no joiners in Q2
    # a figure missing from the indicators is present as None, so templates can test it
    assert "minority_share_delta" in ctx["members"]
    assert ctx["two_new"]["elections"]["held"] is None or isinstance(ctx["two_new"]["elections"]["held"], int)


def test_committee_compare_table(ctx):
    t = ctx["tables"]["committee_compare"]
    assert list(t.columns.get_level_values(0))[1:] == ["本届", "本届", "上届", "上届"]
    size = t.iloc[0]
    assert size[("本届", "人数")] == 11 and size[("上届", "人数")] == 11
    women = t.iloc[2]
    assert women[("本届", "人数")] == 6 and women[("上届", "人数")] == 3
    assert women[("本届", "占比")] == pytest.approx(6 / 11)


def test_findings_are_ordered_and_numbered(ctx):
    sev = [f["severity"] for f in ctx["findings"]]
    order = {"严重": 0, "一般": 1, "提示": 2}
    assert sev == sorted(sev, key=order.get)
    assert [f["no"] for f in ctx["findings"]] == list(range(1, len(sev) + 1))
    assert any(f["id"] == "elections.overdue" for f in ctx["findings_election"])
    assert ctx["measures"] and len(set(ctx["measures"])) == len(ctx["measures"])


def test_dates_and_period(ctx):
    assert ctx["period"]["label"] == "2026Q3"
    assert ctx["period"]["zh"] == "2026年第三季度"
    assert date.fromisoformat(ctx["period"]["as_of"]) == date(2026, 9, 30)
