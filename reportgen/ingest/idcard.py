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
from . import normalize as nz

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = "10X98765432"
_CHECK_CODES = np.array([ord(c) for c in CHECK_CHARS], dtype=np.uint32)


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
    """Canonical text of ID numbers: half-width, no spaces, upper-case X; blank → NA."""
    return nz.series(pc.utf8_upper(nz._compact(nz._trim(nz.arrow(ids)))), ids.index)


def _digits(values: pd.Series, width: int) -> np.ndarray:
    """An (n, width) array of character codes of equal-length strings."""
    arr = values.to_numpy(dtype=f"U{width}")
    return arr.view(np.uint32).reshape(-1, width)


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

    is18 = idn.str.fullmatch(r"\d{17}[\dX]").fillna(False).to_numpy(dtype=bool)
    is15 = idn.str.fullmatch(r"\d{15}").fillna(False).to_numpy(dtype=bool)
    well_formed |= is18 | is15
    if is18.any():
        codes = _digits(idn[is18], 18)
        d = codes[:, :17].astype(np.int64) - 48
        ok = codes[:, 17] == _CHECK_CODES[(d @ WEIGHTS) % 11]
        b = _dates(d[:, 6] * 1000 + d[:, 7] * 100 + d[:, 8] * 10 + d[:, 9],
                   d[:, 10] * 10 + d[:, 11], d[:, 12] * 10 + d[:, 13])
        pos = np.flatnonzero(is18)
        birth.iloc[pos] = b.to_numpy()
        valid[pos] = ok & b.notna().to_numpy()
        odd[pos] = d[:, 16] % 2 == 1
    if is15.any():
        d = _digits(idn[is15], 15).astype(np.int64) - 48
        b = _dates(1900 + d[:, 6] * 10 + d[:, 7], d[:, 8] * 10 + d[:, 9], d[:, 10] * 10 + d[:, 11])
        pos = np.flatnonzero(is15)
        birth.iloc[pos] = b.to_numpy()
        valid[pos] = b.notna().to_numpy()
        odd[pos] = d[:, 14] % 2 == 1
    birth = birth.where(valid)
    sex = pc.if_else(pa.array(odd), schema.MALE, schema.FEMALE).cast(pa.large_string())
    gender = nz.series(pc.if_else(pa.array(valid), sex, pa.scalar(None, pa.large_string())), idn.index)
    return pd.DataFrame({"id": idn, "well_formed": well_formed, "valid": valid, "birth": birth,
                         "gender": gender}, index=idn.index)
