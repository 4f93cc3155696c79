"""ID numbers (GB 11643): check character, derivation of birth date and gender, legacy 15 digits."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import check_char as independent_check_char
from conftest import person_id
from reportgen.ingest import idcard


def test_check_char_of_the_standard_example():
    # the worked example of GB 11643-1999
    assert idcard.check_char("11010519491231002") == "X"
    assert idcard.is_valid("11010519491231002X")
    assert idcard.is_valid("11010519491231002x")  # lower-case x accepted
    assert not idcard.is_valid("110105194912310021")


def test_analyse_derives_birth_and_gender():
    ids = pd.Series([person_id("19900101", True, 1), person_id("19851231", False, 2),
                     " " + person_id("20000229", True, 3) + " ", None, "990101900101123",
                     "990101900101124", "12345", person_id("19900101", True, 1)[:-1] + "0"],
                    dtype="string")
    a = idcard.analyse(ids)
    assert a["valid"].tolist() == [True, True, True, False, True, True, False, False]
    assert a["well_formed"].tolist() == [True, True, True, False, True, True, False, True]
    assert a["birth"].dt.strftime("%Y-%m-%d").tolist()[:3] == ["1990-01-01", "1985-12-31", "2000-02-29"]
    assert a["birth"].iloc[4] == pd.Timestamp("1990-01-01")  # 15 digits: 19YYMMDD
    assert a["gender"].fillna("").tolist()[:6] == ["男", "女", "男", "", "男", "女"]
    assert a["id"].iloc[2] == person_id("20000229", True, 3)  # stripped


def test_only_ascii_digits_of_the_right_length_are_well_formed():
    """Six Chinese characters are 18 bytes and Arabic-Indic digits are digits, but neither is an ID."""
    pid = person_id("19900101", True, 5)
    arabic = "".join(chr(0x0660 + int(c)) for c in pid[:17]) + pid[17]
    ids = pd.Series(["甲乙丙丁戊己", pid, arabic, pid[:17] + "Y", "990101900101123", "99010190010112A",
                     pid + "0"], dtype="string")
    a = idcard.analyse(ids)
    assert a["well_formed"].tolist() == [False, True, False, False, True, False, False]
    assert a["valid"].tolist() == [False, True, False, False, True, False, False]


def test_impossible_birth_date_is_invalid_even_with_right_check_char():
    first17 = "99010119901301123"  # month 13
    assert not idcard.is_valid(first17 + idcard.check_char(first17))
    first17 = "99010119900230123"  # 30 February
    assert not idcard.is_valid(first17 + idcard.check_char(first17))


def test_full_width_digits_are_read():
    pid = person_id("19900101", True, 7)
    full = "".join(chr(ord(c) + 0xFEE0) for c in pid)
    assert idcard.analyse(pd.Series([full], dtype="string"))["valid"].iloc[0]


_days = st.integers(min_value=0, max_value=(date(2025, 12, 31) - date(1900, 1, 1)).days)


@settings(max_examples=200, deadline=None)
@given(day=_days, seq=st.integers(0, 999), area=st.integers(100000, 999999))
def test_generated_valid_id_validates(day, seq, area):
    birth = date(1900, 1, 1) + timedelta(days=day)
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    pid = first17 + independent_check_char(first17)
    a = idcard.analyse(pd.Series([pid], dtype="string"))
    assert a["valid"].iloc[0]
    assert a["birth"].iloc[0].date() == birth
    assert a["gender"].iloc[0] == ("男" if seq % 2 else "女")


@settings(max_examples=200, deadline=None)
@given(day=_days, seq=st.integers(0, 999), pos=st.integers(0, 17), delta=st.integers(1, 9))
def test_any_single_digit_change_invalidates(day, seq, pos, delta):
    birth = date(1900, 1, 1) + timedelta(days=day)
    first17 = f"990101{birth:%Y%m%d}{seq:03d}"
    pid = first17 + independent_check_char(first17)
    chars = list(pid)
    if chars[pos] == "X":
        chars[pos] = str(delta)
    else:
        chars[pos] = str((int(chars[pos]) + delta) % 10)
    changed = "".join(chars)
    assert changed != pid
    assert not idcard.analyse(pd.Series([changed], dtype="string"))["valid"].iloc[0]


def test_check_char_rejects_bad_input():
    with pytest.raises(ValueError):
        idcard.check_char("123")
