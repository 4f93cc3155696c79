"""Resident ID numbers (GB 11643-1999): check character, birth date and gender, vectorised.

An 18-character number is 6 digits of region, 8 of birth date (YYYYMMDD), 3 of sequence (the
last of them odd for men, even for women) and a check character: the digits weighted
7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, summed, mod 11, mapped through "10X98765432".
A legacy 15-digit number has a 6-digit birth date (19YYMMDD) and no check character; its last
digit gives the gender.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema
from ..arrowtext import string_buffers
from . import normalize as nz

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
WEIGHTS16 = WEIGHTS.astype(np.int16)  # a weighted sum is at most 9 × 92: int16 is enough
CHECK_CHARS = "10X98765432"
_CHECK_CODES = np.frombuffer(CHECK_CHARS.encode("ascii"), dtype=np.uint8)


def check_char(first17: str) -> str:
    """The check character of the first 17 digits of an 18-digit ID number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(int(c) * int(w) for c, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def is_valid(value: str) -> bool:
    """Whether one ID number is well formed: check character, real birth date (scalar helper)."""
    s = pd.Series([value], dtype="string")
    return bool(analyse(s)["valid"].iloc[0])


def normalize(ids: pd.Series) -> pd.Series:
    """Canonical text of ID numbers: half-width, no spaces (also full-width and no-break ones,
    tabs, zero-width characters), without the apostrophe that makes Excel or WPS keep a number as
    text ("'110105…", which a CSV file keeps), upper-case X; blank → NA. Duplicates are found on
    this form, so the same person written with and without the apostrophe is one person."""
    return nz.series(pc.utf8_upper(nz._compact(nz.arrow(ids))), ids.index)  # _compact drops every space


def _digits(arr: pa.Array, width: int) -> np.ndarray:
    """An (n, width) view of the bytes of ASCII strings that are all ``width`` long (no nulls),
    read straight off the Arrow buffers."""
    offsets, data = string_buffers(arr)
    return data[offsets[0]:offsets[-1]].reshape(len(arr), width)


def _dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> pd.Series:
    """Dates from components; impossible ones (month 13, 30 February) are NaT."""
    days = nz._ymd_days(year.astype(float), month.astype(float), day.astype(float))
    return pd.Series(days.astype("datetime64[ns]"))


def analyse(ids: pd.Series) -> pd.DataFrame:
    """Per ID number: normalised text ``id``, ``well_formed`` (length and characters),
    ``valid`` (well formed, check character right, real birth date), ``birth`` and ``gender``
    derived from it (only where valid)."""
    idn = normalize(ids)
    n = len(idn)
    valid = np.zeros(n, dtype=bool)
    well_formed = np.zeros(n, dtype=bool)
    birth = pd.Series(pd.NaT, index=idn.index, dtype="datetime64[ns]")
    odd = np.zeros(n, dtype=bool)

    arr = nz.arrow(idn)
    size = pc.fill_null(pc.binary_length(arr), 0).to_numpy(zero_copy_only=False)
    for width in (18, 15):
        pos = np.flatnonzero(size == width)  # bytes: a CJK text of that byte length fails below
        if not len(pos):
            continue
        codes = _digits(arr.take(pa.array(pos)), width)
        digit = (codes >= ord("0")) & (codes <= ord("9"))
        if width == 18:
            shape = digit[:, :17].all(axis=1) & (digit[:, 17] | (codes[:, 17] == ord("X")))
        else:
            shape = digit.all(axis=1)
        pos, codes = pos[shape], codes[shape]
        well_formed[pos] = True
        d = codes[:, :17].astype(np.int16) - 48  # the 15-digit form has no 16th and 17th digits
        if width == 18:
            ok = codes[:, 17] == _CHECK_CODES[(d @ WEIGHTS16) % 11]
            year = d[:, 6] * 1000 + d[:, 7] * 100 + d[:, 8] * 10 + d[:, 9]
            mmdd, sex_digit = d[:, 10:14], d[:, 16]
        else:
            ok = np.ones(len(pos), dtype=bool)
            year = 1900 + d[:, 6] * 10 + d[:, 7]
            mmdd, sex_digit = d[:, 8:12], d[:, 14]
        b = _dates(year, mmdd[:, 0] * 10 + mmdd[:, 1], mmdd[:, 2] * 10 + mmdd[:, 3])
        birth.iloc[pos] = b.to_numpy()
        valid[pos] = ok & b.notna().to_numpy()
        odd[pos] = sex_digit % 2 == 1
    birth = birth.where(valid)
    sex = pc.if_else(pa.array(odd), schema.MALE, schema.FEMALE).cast(pa.large_string())
    gender = nz.series(pc.if_else(pa.array(valid), sex, pa.scalar(None, pa.large_string())), idn.index)
    return pd.DataFrame({"id": idn, "well_formed": well_formed, "valid": valid, "birth": birth,
                         "gender": gender}, index=idn.index)
