"""Writing outputs safely: atomic replacement, clean text, masked ID numbers.

Every file reportgen writes goes through :func:`atomic_write`, every text cell or paragraph through
:func:`clean_text`, and every ID number that could reach an output through :func:`mask_id` or
:func:`mask_ids`.
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

# Characters XML 1.0 forbids (C0 controls except tab/newline/CR, surrogates, U+FFFE/U+FFFF).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# an 18-character ID (17 digits and a digit or X) or a legacy 15-digit one, standing alone
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")
_FILENAME_BAD = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def clean_text(value: object) -> str:
    """Text safe for XML (docx, xlsx): forbidden characters removed."""
    return _XML_INVALID.sub("", str(value))


def mask_id(value: object) -> str:
    """Mask an ID number as in SPEC §2: first 6 and last 4 characters kept (110105********1234)."""
    s = "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()
    if len(s) <= 10:
        return "*" * len(s)
    return s[:6] + "*" * (len(s) - 10) + s[-4:]


def mask_ids(series: pd.Series) -> pd.Series:
    """Vectorised masking for a column of ID numbers: ``110105********1234``; nulls stay null.

    Unlike :func:`mask_id` the number of stars is fixed at 8, which hides the length too.
    """
    s = series.astype("string").str.strip()
    masked = s.str.slice(0, 6) + "********" + s.str.slice(-4)
    return masked.mask(s.str.len() <= 10, "****").where(s.notna())


def mask_ids_in_text(text: str) -> str:
    """Mask anything that looks like an 18- or 15-digit ID number inside free text."""
    return _ID_LIKE.sub(lambda m: mask_id(m.group(0)), text)


def safe_filename(name: str, fallback: str = "未命名") -> str:
    """A file name made from data: no path separators, reserved or control characters."""
    s = _FILENAME_BAD.sub("_", str(name)).strip().strip(".")
    s = re.sub(r"\s+", " ", s)[:80]
    if s.upper() in {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}:
        s = "_" + s
    return s or fallback


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it into place only if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; outputs follow the umask
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


# The document property ``category`` (docProps/core.xml) of every workbook and document written as
# output (tables.xlsx, validation.xlsx, the report), never of the blank submission template: the
# reader skips a file carrying it wherever it lies (ingest.discover.sniff).
OUTPUT_CATEGORY = "reportgen 输出文件（不是报送数据）"
