"""Vectorised value normalisation: dates in every form of SPEC §1.3, integers, enumerations,
phones, credit codes, whitespace."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen import schema
from reportgen.ingest import normalize as nz


def _dates(values):
    return nz.parse_dates(pd.Series(values, dtype="string"))


@pytest.mark.parametrize("text,expected,month_only", [
    ("2010-05-01", "2010-05-01", False),
    ("2010/5/1", "2010-05-01", False),
    ("2010.05", "2010-05-01", True),
    ("2010.5.1", "2010-05-01", False),
    ("2010年5月", "2010-05-01", True),
    ("2010年5月1日", "2010-05-01", False),
    ("201005", "2010-05-01", True),
    ("20100501", "2010-05-01", False),
    ("2010-05-01 00:00:00", "2010-05-01", False),  # an Excel date cell read as text
    ("2010-05-01 13:45:10", "2010-05-01", False),
    ("2010-5", "2010-05-01", True),
    ("40299", "2010-05-01", False),  # Excel serial number typed into a text column
    ("40299.75", "2010-05-01", False),
    ("２０１０年５月１日", "2010-05-01", False),  # full-width digits
    (" 2010 年 5 月 1 日 ", "2010-05-01", False),
    ("2000-02-29", "2000-02-29", False),
])
def test_every_date_form(text, expected, month_only):
    res = _dates([text])
    assert res["date"].iloc[0] == pd.Timestamp(expected)
    assert not res["bad"].iloc[0]
    assert res["month_only"].iloc[0] == month_only


@pytest.mark.parametrize("text", ["2010", "2010-13-01", "2010-02-30", "1900-02-29", "去年",
                                  "99999", "5000", "2010-05-01-03", "2010年5月1"+"日日"])
def test_not_dates(text):
    res = _dates([text])
    assert pd.isna(res["date"].iloc[0])
    assert res["bad"].iloc[0]


def test_blank_is_not_bad():
    res = _dates([None, "", "   "])
    assert res["date"].isna().all()
    assert not res["bad"].any()


_day = st.integers(0, (date(2100, 12, 31) - date(1900, 1, 1)).days).map(
    lambda n: date(1900, 1, 1) + timedelta(days=n))
_FORMS = (
    lambda d: f"{d:%Y-%m-%d}", lambda d: f"{d.year}/{d.month}/{d.day}", lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日", lambda d: f"{d:%Y%m%d}", lambda d: f"{d:%Y-%m-%d} 00:00:00",
    lambda d: f"{d:%Y/%m/%d}", lambda d: f"{d.year}-{d.month}-{d.day}",
)
_MONTH_FORMS = (lambda d: f"{d.year}.{d.month:02d}", lambda d: f"{d.year}年{d.month}月", lambda d: f"{d:%Y%m}",
                lambda d: f"{d.year}-{d.month}")


@settings(max_examples=150, deadline=None)
@given(d=_day)
def test_any_date_round_trips_in_every_form(d):
    texts = [f(d) for f in _FORMS]
    res = _dates(texts)
    assert (res["date"] == pd.Timestamp(d)).all(), texts
    assert not res["bad"].any()


@settings(max_examples=150, deadline=None)
@given(d=_day)
def test_month_only_forms_give_the_first(d):
    texts = [f(d) for f in _MONTH_FORMS]
    res = _dates(texts)
    assert (res["date"] == pd.Timestamp(d.year, d.month, 1)).all(), texts
    assert res["month_only"].all()


def test_integers():
    res = nz.parse_ints(pd.Series(["25", "25.0", "1,200", "25人", "３０", " 7 ", "-5", "2.5", "二十",
                                   None, "25 人"], dtype="string"))
    assert res["value"].tolist()[:6] == [25, 25, 1200, 25, 30, 7]
    assert res["bad"].tolist() == [False] * 6 + [True, True, True, False, False]
    assert res["value"].iloc[10] == 25


def test_every_enumeration_alias_maps_to_its_value():
    for enum in schema.ENUMERATIONS.values():
        spellings = list(enum.lookup().items())
        res = nz.map_enum(pd.Series([s for s, _ in spellings], dtype="string"), enum)
        assert res["value"].tolist() == [v for _, v in spellings], enum.key
        assert not res["bad"].any()


def test_enumeration_normalisation_and_bad_values():
    res = nz.map_enum(pd.Series([" 本 科 ", "ＹＥＳ", "Yes", "高级", None, "工人(工勤技能人员)"],
                                dtype="string"), schema.EDUCATION)
    assert res["value"].tolist()[0] == "大学本科"
    assert res["bad"].tolist() == [False, True, True, True, False, True]
    yn = nz.map_enum(pd.Series(["ＹＥＳ", "yes", "TRUE", "√", "否"], dtype="string"), schema.YES_NO)
    assert yn["value"].tolist() == ["是", "是", "是", "是", "否"]
    occ = nz.map_enum(pd.Series(["工人(工勤技能人员)", "工人（工勤技能人员）"], dtype="string"), schema.OCCUPATION)
    assert occ["value"].tolist() == ["工人（工勤技能人员）"] * 2


def test_phones():
    ok = nz.phone_ok(pd.Series(["13800000000", "138 0000 0000", "010-12345678", "(010)12345678-123",
                                "0755 1234567", "62345678", "+86 13800000000",
                                "13800000000、010-12345678",
                                "12345", "1380000000", "138000000001", "电话", None], dtype="string"))
    assert ok.iloc[:8].tolist() == [True] * 8
    assert ok.iloc[8:12].tolist() == [False] * 4
    assert pd.isna(ok.iloc[12])


def test_credit_codes():
    first17 = "91990101MA0000001"
    good = first17 + nz.credit_check_char(first17)
    wrong = first17 + ("0" if good[-1] != "0" else "1")
    ok = nz.credit_code_ok(pd.Series([good, good.lower(), wrong, "91990101MA000000", "91990101MA00000OI1",
                                      None], dtype="string"))
    assert ok.iloc[:5].tolist() == [True, True, False, False, False]
    assert pd.isna(ok.iloc[5])


def test_credit_check_char_known_pattern():
    # check = 31 - (weighted sum mod 31), 31 -> 0
    first17 = "00000000000000000"
    assert nz.credit_check_char(first17) == "0"
    first17 = "10000000000000000"  # 1 × weight 1 -> 31 - 1 = 30 -> "Y"
    assert nz.credit_check_char(first17) == "Y"


def test_clean_strips_every_kind_of_space():
    s = nz.clean(pd.Series(["\u3000张三\xa0", "\u200b李四 ", "   ", "", None, "王 五"], dtype="string"))
    assert s.iloc[0] == "张三" and s.iloc[1] == "李四" and s.iloc[5] == "王 五"
    assert s.iloc[2:5].isna().all()


def test_repeated_values_are_parsed_once_and_spread_back():
    # long columns with few distinct values take the per-distinct-value path
    values = ["2010年5月", None, "2010-05-01", "x", "2010年5月", None] * 50
    res = _dates(values)
    assert len(res) == 300 and list(res.index) == list(range(300))
    assert res["date"].iloc[:6].tolist()[0] == pd.Timestamp("2010-05-01")
    assert res["month_only"].iloc[:6].tolist() == [True, False, False, False, True, False]
    assert res["bad"].iloc[:6].tolist() == [False, False, False, True, False, False]
    assert res["date"].iloc[1:2].isna().all() and res["date"].iloc[6] == pd.Timestamp("2010-05-01")
    s = pd.Series(["本科", "大专", None, "博士"] * 40, index=range(100, 260), dtype="string")
    res = nz.map_enum(s, schema.EDUCATION)
    assert list(res.index) == list(range(100, 260))
    assert res["value"].iloc[:4].fillna("").tolist() == ["大学本科", "大学专科", "", "研究生"]
    ints = nz.parse_ints(pd.Series(["3", "x", None] * 30, dtype="string"))
    assert ints["value"].iloc[:3].tolist()[0] == 3 and ints["bad"].iloc[:3].tolist() == [False, True, False]


_TEXT = st.text(alphabet=st.sampled_from(list("张三李四0１（）—“”…・ \t\u3000\xa0abc") +
                                         ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060",
                                          "\ufeff", "\u2010", "\u2061", "\ufefe", "\u200a"]), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _TEXT), min_size=1, max_size=12), st.integers(0, 3))
def test_clean_removes_invisible_characters_wherever_they_are(values, start):
    import pyarrow as pa

    arr = pa.array(values, type=pa.large_string()).slice(min(start, len(values)))
    got = nz.clean_arrow(arr).to_pylist()
    expected = []
    for v in arr.to_pylist():
        t = None if v is None else "".join(ch for ch in v if ch not in "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff")
        t = None if t is None else t.strip()  # Unicode whitespace, as Arrow trims
        expected.append(t or None)
    assert got == expected
