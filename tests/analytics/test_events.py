from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kotacerdas.analytics import backends, events
from kotacerdas.analytics.events import EVENT_SCHEMA, append_events, hash_citizen
from kotacerdas.analytics.reference import desa_list, kecamatan_list

PROGRAMMES = ["jam-kunci", "oss", "simpada"]
KECAMATAN = [k.code for k in kecamatan_list("16.07")]
DESA = {d.code: d.kecamatan_code for d in desa_list("16.07")}
PERIOD = (dt.datetime(2023, 1, 1), dt.datetime(2025, 1, 1))
KEY = hash_citizen("1607000000000001", "kotacerdas-test-salt")


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def rows(*records: tuple) -> pa.Table:
    cols = list(zip(*records, strict=True))
    return pa.table(
        {
            "ts": pa.array(cols[0], pa.timestamp("us")),
            "programme": pa.array(cols[1], pa.string()),
            "kecamatan": pa.array(cols[2], pa.string()),
            "desa": pa.array(cols[3], pa.string()),
            "channel": pa.array(cols[4], pa.string()),
            "citizen": pa.array(cols[5], pa.string()),
        }
    )


T = dt.datetime(2024, 3, 5, 9, 30)
GOOD = (T, "oss", "16.07.01", "16.07.01.2001", "online", KEY)
MIXED = rows(
    GOOD,
    (dt.datetime(2024, 4, 1, 10), "simpada", "16.07.10", None, "loket", KEY),
    (T, "unknown-prog", "16.07.01", None, "online", KEY),
    (T, "oss", "16.07.99", None, "online", KEY),
    (T, "oss", "16.08.01", None, "online", KEY),  # another kabupaten
    (T, "oss", "16.07.01", "16.07.01.9999", "online", KEY),
    (T, "oss", "16.07.01", "16.07.02.2001", "online", KEY),  # desa of another kecamatan
    (dt.datetime(2030, 1, 1), "oss", "16.07.01", None, "online", KEY),
    (None, "oss", "16.07.01", None, "online", KEY),
    (T, "oss", "16.07.01", None, "online", None),
    (T, "oss", "16.07.01", None, "online", "  "),
    (T, "oss", "16.07.01", None, "fax", KEY),
    (T, "oss", "16.07.01", None, "online", "1607123456789012"),  # a raw NIK
)


def append(root: Path, table: pa.Table, **kw: object) -> events.AppendReport:
    return append_events(root, table, PROGRAMMES, KECAMATAN, known_desa=DESA, period=PERIOD, **kw)  # type: ignore[arg-type]


def test_valid_rows_written_partitioned(tmp_path: Path) -> None:
    rep = append(tmp_path, MIXED)
    assert rep.input_rows == 13
    assert rep.written_rows == 2
    assert rep.written_by_partition == {(2024, 3): 1, (2024, 4): 1}
    data = [f for f in files(tmp_path) if not f.startswith("_")]
    assert len(data) == 2
    assert data[0].startswith("region=16.07/year=2024/month=03/part-") and data[0].endswith(".parquet")
    assert data[1].startswith("region=16.07/year=2024/month=04/part-")
    assert sorted(rep.files) == data
    t = pq.read_table(tmp_path / data[0], partitioning=None)
    assert t.schema == EVENT_SCHEMA
    assert t.to_pylist() == [dict(zip(EVENT_SCHEMA.names, GOOD, strict=True))]


def test_quarantine_with_reasons_nothing_dropped(tmp_path: Path) -> None:
    rep = append(tmp_path, MIXED)
    assert rep.written_rows + rep.quarantined_rows == rep.input_rows == MIXED.num_rows
    assert rep.quarantined_by_reason == {
        "unknown_programme": 1,
        "unknown_kecamatan": 2,
        "unknown_desa": 1,
        "desa_not_in_kecamatan": 1,
        "ts_out_of_period": 1,
        "missing_ts": 1,
        "missing_citizen": 2,
        "unknown_channel": 1,
        "citizen_looks_like_nik": 1,
    }
    assert rep.quarantine_file is not None and rep.quarantine_file.startswith("_quarantine/region=16.07/")
    q = pq.read_table(tmp_path / rep.quarantine_file).to_pandas()
    assert len(q) == rep.quarantined_rows
    assert {"reason", "input_row", "ingest_id", *EVENT_SCHEMA.names} <= set(q.columns)
    assert q.loc[q.reason == "unknown_programme", "programme"].tolist() == ["unknown-prog"]
    assert q.loc[q.reason == "unknown_programme", "input_row"].tolist() == [2]
    assert q.loc[q.reason == "unknown_programme", "ts"].tolist() == ["2024-03-05T09:30:00"]
    # The NIK is counted but never stored, not even in the quarantine.
    nik = q[q.reason == "citizen_looks_like_nik"]
    assert len(nik) == 1 and nik.citizen.isna().all()
    assert "1607123456789012" not in (tmp_path / rep.quarantine_file).read_bytes().decode("latin-1")


def test_unknown_programme_only(tmp_path: Path) -> None:
    t = rows(GOOD, (T, "e-ktp", "16.07.01", None, "online", KEY))
    rep = append(tmp_path, t)
    assert (rep.written_rows, rep.quarantined_rows) == (1, 1)
    assert rep.quarantined_by_reason == {"unknown_programme": 1}


def test_timezone_aware_input_converted_to_wib(tmp_path: Path) -> None:
    # 31 Jan 20:00 UTC is 1 Feb 03:00 in Jakarta: it belongs to the February partition.
    utc = pa.array([dt.datetime(2024, 1, 31, 20, 0)], pa.timestamp("us", tz="UTC"))
    t = rows(GOOD).set_column(0, "ts", utc)
    rep = append(tmp_path, t)
    assert rep.written_by_partition == {(2024, 2): 1}
    stored = pq.read_table(tmp_path / rep.files[0], partitioning=None).column("ts")
    assert stored.type == pa.timestamp("us")
    assert stored[0].as_py() == dt.datetime(2024, 2, 1, 3, 0)


def test_string_timestamps(tmp_path: Path) -> None:
    t = pa.table(
        {
            "ts": ["2024-03-05 09:30:00", "2024-03-05T02:30:00Z", "not a date", ""],
            "programme": ["oss"] * 4,
            "kecamatan": ["16.07.01"] * 4,
            "desa": [None] * 4,
            "channel": ["online"] * 4,
            "citizen": [KEY] * 4,
        }
    )
    rep = append(tmp_path, t)
    assert rep.written_rows == 2
    assert rep.quarantined_by_reason == {"bad_timestamp": 1, "missing_ts": 1}
    stored = pq.read_table(tmp_path / rep.files[0], partitioning=None).column("ts").to_pylist()
    assert stored == [T, T]  # 02:30Z == 09:30 WIB


def test_default_period_rejects_future(tmp_path: Path) -> None:
    t = rows(GOOD, (dt.datetime(2999, 1, 1), "oss", "16.07.01", None, "online", KEY))
    rep = append_events(tmp_path, t, PROGRAMMES, KECAMATAN)
    assert rep.quarantined_by_reason == {"ts_out_of_period": 1}


def test_without_known_desa_checks_format_and_prefix(tmp_path: Path) -> None:
    t = rows(
        GOOD,
        (T, "oss", "16.07.01", "16.07.01.99", "online", KEY),
        (T, "oss", "16.07.01", "16.07.03.2001", "online", KEY),
    )
    rep = append_events(tmp_path, t, PROGRAMMES, KECAMATAN, period=PERIOD)
    assert rep.quarantined_by_reason == {"unknown_desa": 1, "desa_not_in_kecamatan": 1}


def test_missing_column_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="citizen"):
        append(tmp_path, MIXED.drop_columns(["citizen"]))
    assert files(tmp_path) == []


def test_failing_write_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = append(tmp_path, rows(GOOD))
    existing = files(tmp_path)
    real = events.pq.write_table
    calls = {"n": 0}

    def flaky(*a: object, **kw: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # after the first partition file was fully written to staging
            raise OSError("disk full")
        real(*a, **kw)

    monkeypatch.setattr(events.pq, "write_table", flaky)
    with pytest.raises(OSError, match="disk full"):
        append(tmp_path, MIXED)
    assert files(tmp_path) == existing
    assert not (tmp_path / "_staging").exists()
    assert before.written_rows == 1


def test_failing_rename_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.replace
    calls = {"n": 0}

    def flaky(src: object, dst: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # two data files already moved into place
            raise OSError("rename failed")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(events.os, "replace", flaky)
    with pytest.raises(OSError, match="rename failed"):
        append(tmp_path, MIXED)
    assert [f for f in files(tmp_path)] == []


def test_appends_accumulate_and_are_readable(tmp_path: Path) -> None:
    append(tmp_path, MIXED)
    append(tmp_path, rows(GOOD))
    con = backends.connect("duckdb")
    t = backends.events_table(con, tmp_path)
    df = con.execute(t.order_by("ts"))
    # quarantine and staging are invisible to readers
    assert len(df) == 3
    assert set(df.region) == {"16.07"}
    assert df.month.tolist() == [3, 3, 4]
    assert str(t.schema()["year"]) == "int32"


def test_empty_table(tmp_path: Path) -> None:
    rep = append(tmp_path, MIXED.slice(0, 0))
    assert (rep.input_rows, rep.written_rows, rep.quarantined_rows) == (0, 0, 0)
    assert files(tmp_path) == []


def test_hash_citizen() -> None:
    a = hash_citizen("1607000000000001", "kotacerdas-test-salt")
    assert a == hash_citizen(" 1607000000000001 ", "kotacerdas-test-salt")
    assert a != hash_citizen("1607000000000001", "another-salt-0123")
    assert len(a) == 32 and "1607000000000001" not in a
    with pytest.raises(ValueError):
        hash_citizen("1607000000000001", "short")


def test_layout_sorted_by_question_keys_and_independent_of_input_order(tmp_path: Path) -> None:
    """Files are sorted by programme, kecamatan, citizen (what the questions group by), in row groups,
    with the citizen column dictionary-encoded; the same rows in any order give the same file content."""
    other = hash_citizen("1607000000000002", "kotacerdas-test-salt")
    recs = [
        (dt.datetime(2024, 3, d, h), p, k, None, "online", c)
        for d in (3, 1, 2) for h in (9, 8) for p in ("simpada", "oss") for k in ("16.07.02", "16.07.01")
        for c in (other, KEY)
    ]
    a, b = tmp_path / "a", tmp_path / "b"
    append(a, rows(*recs))
    append(b, rows(*reversed(recs)))
    ta = pq.read_table(next(a.rglob("*.parquet")))
    tb = pq.read_table(next(b.rglob("*.parquet")))
    assert ta.equals(tb)
    keys = list(zip(*(ta.column(c).to_pylist() for c in ("programme", "kecamatan", "citizen", "ts")), strict=True))
    assert keys == sorted(keys) and keys != sorted(keys, key=lambda r: r[3])
    meta = pq.ParquetFile(next(a.rglob("*.parquet"))).metadata
    citizen = meta.row_group(0).column(EVENT_SCHEMA.names.index("citizen"))
    assert "RLE_DICTIONARY" in citizen.encodings


def test_row_groups_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "ROW_GROUP_ROWS", 3)
    append(tmp_path, rows(*[GOOD] * 7))
    meta = pq.ParquetFile(next(tmp_path.rglob("*.parquet"))).metadata
    assert (meta.num_rows, meta.num_row_groups) == (7, 3)
