"""Thresholds users may change (SPEC §2 regulations, data-driven concerns, ingest limits).

Defaults come from the Party's regulations (《中国共产党支部工作条例（试行）》,
《中国共产党基层组织选举工作条例》); a YAML file passed with ``--config`` overrides any of them,
e.g.::

    regulations:
      branch_max_members: 50
    concerns:
      aging_share: 0.6
    limits:
      max_file_mb: 200
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Regulations:
    branch_min_full: int = 3  # a 党支部 needs at least 3 正式党员
    branch_max_members: int = 50  # a 党支部 generally has at most 50 members
    committee_min_full: int = 7  # 7+ 正式党员 must elect a 支部委员会
    zongzhi_min_members: int = 50  # 50–99 members: the usual size of a 党总支
    dangwei_min_members: int = 100  # 100+ members: a 基层党委
    joint_branch_max_units: int = 5  # a 联合党支部 generally covers at most 5 units
    overdue_serious_months: int = 12  # more than 12 months overdue: beyond any allowed delay
    due_soon_months: int = 6  # term ends within 6 months: reminder ledger
    quorum_fraction: float = 0.8  # valid only when present > 4/5 of eligible
    candidate_margin: float = 0.2  # candidates ≥ seats × 1.2, rounded up
    candidate_margin_min_seats: int = 3  # checked where seats ≥ 3
    congress_min_members: int = 500  # a 党员代表大会 is expected only at 500+ members


@dataclass(frozen=True)
class Concerns:
    """Data-driven concerns reported as findings (advisory, not regulation)."""

    aging_share: float = 0.5  # organizations where over half the members are retired or over 60
    aging_min_members: int = 5  # …among organizations with at least this many members
    young_recruit_share: float = 0.6  # new members aged 35 or under below this share is a concern
    female_committee_share: float = 0.2  # committees with fewer women than this share
    coverage_target_100plus: float = 1.0  # units with 100+ employees: target coverage
    large_unit_employees: int = 100
    member_max_age: int = 100  # implausible-but-possible age (warning)
    unknown_note_share: float = 0.02  # a share whose field is unknown for more of its base says so


@dataclass(frozen=True)
class Limits:
    """Guards applied to every input file before and while it is read."""

    max_file_mb: float = 200.0
    max_zip_entries: int = 10_000
    max_uncompressed_mb: float = 2_000.0
    max_compression_ratio: float = 200.0
    max_rows_per_sheet: int = 1_100_000
    max_cell_chars: int = 32_767


@dataclass(frozen=True)
class Report:
    """Wording and layout of the report (issue 18): precision of percentages in the text, the
    smallest base stated as a percentage, the optional 落款 and 成文日期, and when a long list
    goes to a 附件."""

    pct_digits: int = 1  # every percentage in the text has this many decimals: 45.0%, 35.4%
    small_base: int = 10  # a share of fewer than this many is written as counts ("3名中有1名")
    signature_unit: str = ""  # 落款 (issuing unit) under the body, e.g. "中共示例区委组织部"
    date: str = ""  # 成文日期 as YYYY-MM-DD, written "2026年12月6日"
    appendix_min_rows: int = 15  # a list longer than this goes to a 附件 (换届工作情况报告)
    # judgement layer (render/judgement.py): an area is named as an outlier only when it differs from
    # the district by at least this margin, and only when its base has at least small_base people/units
    area_margin_years: float = 3.0  # mean age: years above the district's
    area_margin_share: float = 0.05  # a share (35岁及以下, 覆盖率): 5 percentage points below the district's
    # interpretation rules (render/judgement.py RULES, documented in docs/指标说明.md)
    aging_under35_share: float = 0.15  # 35岁及以下 share below this …
    aging_age_mean: float = 55.0  # … and a mean age above this: 老龄化问题突出
    persistent_share: float = 0.5  # at least this share of a ledger already there last period: 长期滞后
    concentration_share: float = 0.3  # one area holds at least this share of a ledger: 相对集中


@dataclass(frozen=True)
class Config:
    regulations: Regulations = field(default_factory=Regulations)
    concerns: Concerns = field(default_factory=Concerns)
    limits: Limits = field(default_factory=Limits)
    report: Report = field(default_factory=Report)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT = Config()


class ConfigError(ValueError):
    """A configuration file that cannot be used."""


def load_config(path: str | Path | None = None) -> Config:
    """The defaults, overridden by the YAML file at ``path`` if one is given."""
    if path is None:
        return DEFAULT
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"无法读取配置文件 {path}：{exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"配置文件 {path} 应为“分组: 参数: 值”的格式")
    parts = {}
    for name in ("regulations", "concerns", "limits", "report"):
        current = getattr(DEFAULT, name)
        given = data.pop(name, None) or {}
        known = {f.name: f.type for f in fields(current)}
        unknown = set(given) - set(known)
        if unknown:
            raise ConfigError(f"配置文件 {path} 中 {name} 下有未知参数：{'、'.join(sorted(unknown))}；"
                              f"可用参数：{'、'.join(known)}")
        typed = {k: type(getattr(current, k))(v) for k, v in given.items()}
        parts[name] = replace(current, **typed)
    if data:
        raise ConfigError(f"配置文件 {path} 中有未知分组：{'、'.join(map(str, data))}；"
                          "可用分组：regulations、concerns、limits、report")
    return Config(**parts)
