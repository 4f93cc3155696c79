"""The checks with the reading's worker processes (``rules.check(..., pool)``): the same Dataset as
with threads, whether the worker does its part, cannot be reached, or dies; an error in the rules
is not hidden by the pool."""

from __future__ import annotations

import os

import pandas as pd
import pytest

import reportgen.ingest as ingest
from conftest import valid_sheets, write_workbook
from reportgen import schema
from reportgen.samples import generate
from reportgen.validate import rules

TABLES = ("orgs", "members", "elections", "committee", "units")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A messy sample set (.xlsx, .xls, .csv), and one more workbook with a row problem in every
    table that goes to the worker."""
    out = tmp_path_factory.mktemp("pool") / "2026Q3"
    generate(out, members=1500, workbooks=4, seed=11, messy=True, legacy_formats=True, jobs=1)
    sheets = valid_sheets()

    def spoil(sheet: schema.Sheet, row: int, **values) -> None:
        keys = [f.key for f in sheet.fields]
        for key, value in values.items():
            sheets[sheet.name][row][keys.index(key)] = value

    spoil(schema.ORGS, 3, last_election="2023-13-01")
    spoil(schema.ELECTIONS, 1, present=30)
    spoil(schema.COMMITTEE, 2, gender="未知", birth_date="1976-01-01")
    spoil(schema.UNITS, 1, employees="很多")
    # set rules the worker runs among its tables: a duplicate organization, an unknown parent,
    # a current committee with two secretaries
    orgs = sheets[schema.ORGS.name]
    orgs.append(list(orgs[3]))
    orgs.append([{"org_id": "A0103", "name": "示例第三支部", "parent_id": "Z99", "org_type": "党支部",
                  "sector": "机关", "area": "城东街道", "last_election": "2024-06-18"}.get(f.key)
                 for f in schema.ORGS.fields])
    committee = sheets[schema.COMMITTEE.name]
    second = list(committee[1])
    keys = [f.key for f in schema.COMMITTEE.fields]
    second[keys.index("name")], second[keys.index("id_number")] = "王书记", None
    committee.append(second)
    write_workbook(out / "99_补报.xlsx", sheets)
    return out


@pytest.fixture(scope="module")
def by_threads(folder):
    ds = ingest.load(folder)  # a few hundred kB: read by threads, checked in this process
    # the comparison is worth something only if the worker's tables have row issues to bring back
    row_issues = ds.issues[ds.issues["rule"].str.startswith("row.")]
    assert {schema.sheet(k).name for k in rules.AWAY} <= set(row_issues["sheet"])
    # and set issues of the rules the worker runs among its tables, and of those run here after
    found = set(ds.issues["rule"])
    assert {"set.duplicate_org", "set.parent_unknown", "set.secretary_count", "set.unknown_org"} <= found
    assert {"set.duplicate_member", "set.branch_over_50"} & found
    return ds


def _same(a, b) -> None:
    for name in ("issues", "reconciliation", "files", *TABLES):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    assert a.period == b.period and a.as_of == b.as_of


def _spy_send(monkeypatch) -> list:
    sent = []
    real = rules._send

    def spy(*args):
        sent.append(real(*args))
        return sent[-1]

    monkeypatch.setattr(rules, "_send", spy)
    return sent


def test_threads_do_not_use_a_pool(folder, by_threads, monkeypatch):
    sent = _spy_send(monkeypatch)
    _same(ingest.load(folder), by_threads)
    assert sent == []


def test_worker_process_checks_give_the_same_dataset(folder, by_threads, monkeypatch):
    monkeypatch.setattr(ingest, "PROCESS_MIN_BYTES", 0)
    sent = _spy_send(monkeypatch)
    ds = ingest.load(folder)
    (future,) = sent
    assert future is not None and future.exception() is None  # the worker did its part
    _same(ds, by_threads)


def test_a_pool_that_refuses_the_job_gives_the_same_dataset(folder, by_threads, monkeypatch):
    """Reading by processes works, then the pool is broken when the checks submit their job."""
    monkeypatch.setattr(ingest, "PROCESS_MIN_BYTES", 0)
    real = ingest.ProcessPoolExecutor

    class BrokenForChecks(real):
        def submit(self, fn, *args, **kwargs):
            if fn is rules._rules_shipped:
                raise ingest.BrokenProcessPool("a worker died")
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(ingest, "ProcessPoolExecutor", BrokenForChecks)
    sent = _spy_send(monkeypatch)
    ds = ingest.load(folder)
    assert sent == [None]
    _same(ds, by_threads)


def _die(*args):
    os._exit(1)


def _bug(*args):
    raise ZeroDivisionError("a bug in the rules")


def test_a_worker_that_dies_during_the_job_gives_the_same_dataset(folder, by_threads, monkeypatch):
    monkeypatch.setattr(ingest, "PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(rules, "_rules_shipped", _die)
    sent = _spy_send(monkeypatch)
    ds = ingest.load(folder)
    (future,) = sent
    assert isinstance(future.exception(), ingest.BrokenProcessPool)
    _same(ds, by_threads)


def test_an_error_in_the_rules_is_not_hidden_by_the_pool(folder, monkeypatch):
    monkeypatch.setattr(ingest, "PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(rules, "_rules_shipped", _bug)
    with pytest.raises(ZeroDivisionError, match="a bug in the rules"):
        ingest.load(folder)
