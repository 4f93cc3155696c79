"""Statistical periods: "2026Q3" / "2026年第三季度" / "2026年三季度" → Period."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .schema import QUARTER_WORDS

_PATTERNS = (
    re.compile(r"^\s*(\d{4})\s*[-_ ]?\s*[Qq]\s*([1-4])\s*$"),
    re.compile(r"^\s*(\d{4})\s*年\s*第?\s*([一二三四1-4])\s*季度?\s*$"),
)


class PeriodError(ValueError):
    """A period text that cannot be understood."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int
    as_of_override: date | None = None

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def zh(self) -> str:
        return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        if self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    @property
    def as_of(self) -> date:
        """The reference date of the statistics: the last day of the period unless overridden."""
        return self.as_of_override or self.end

    @property
    def year_start(self) -> date:
        return date(self.year, 1, 1)

    def previous(self) -> "Period":
        if self.quarter == 1:
            return Period(self.year - 1, 4)
        return Period(self.year, self.quarter - 1)

    def with_as_of(self, as_of: date | None) -> "Period":
        return Period(self.year, self.quarter, as_of)

    def __str__(self) -> str:
        return self.label


def parse_period(text: str | Period) -> Period:
    """Parse "2026Q3", "2026-Q3", "2026年第三季度" or "2026年三季度"."""
    if isinstance(text, Period):
        return text
    s = str(text).strip()
    for pattern in _PATTERNS:
        m = pattern.match(s)
        if m:
            return Period(int(m.group(1)), QUARTER_WORDS[m.group(2)])
    raise PeriodError(f"无法识别统计期“{s}”，请写成 2026Q3 或 2026年第三季度")


def find_period(text: str) -> Period | None:
    """Find a period mentioned anywhere in a text (a folder or file name); None if there is none."""
    m = re.search(r"(20\d{2})\s*[-_ ]?\s*[Qq]\s*([1-4])", text) or re.search(
        r"(20\d{2})\s*年\s*第?\s*([一二三四1-4])\s*季度", text)
    return Period(int(m.group(1)), QUARTER_WORDS[m.group(2)]) if m else None
