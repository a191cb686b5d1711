from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from kotacerdas.analytics.events import EVENT_SCHEMA
from kotacerdas.analytics.generator import (
    LAGGING_KECAMATAN,
    build_model,
    day_weights,
    generate_events,
    lebaran_date,
)
from kotacerdas.analytics.reference import desa_list


def ipc_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return sink.getvalue().to_pybytes()


def gen(**kw: object) -> pa.Table:
    return pa.Table.from_batches(list(generate_events(**kw)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def year2024() -> pd.DataFrame:
    return gen(year=2024, n_events=60_000, seed=42).to_pandas()


def test_same_seed_identical_bytes_whatever_the_batch_size() -> None:
    a = gen(n_events=20_000, seed=42, batch_size=4_096)
    b = gen(n_events=20_000, seed=42, batch_size=4_096)
    c = gen(n_events=20_000, seed=42, batch_size=50_000)
    assert a.schema == EVENT_SCHEMA
    assert ipc_bytes(a) == ipc_bytes(b)
    assert ipc_bytes(a.combine_chunks()) == ipc_bytes(c.combine_chunks())


def test_different_seed_differs() -> None:
    a = gen(n_events=5_000, seed=42)
    b = gen(n_events=5_000, seed=43)
    assert a.num_rows == b.num_rows == 5_000
    assert not a.equals(b)


def test_streams_in_bounded_batches() -> None:
    batches = list(generate_events(n_events=10_001, batch_size=1_000))
    assert [b.num_rows for b in batches] == [1_000] * 10 + [1]
    assert all(b.schema == EVENT_SCHEMA for b in batches)
    # time-ordered stream: a writer can flush month by month
    ts = pa.concat_arrays([b.column(0) for b in batches]).to_numpy()
    assert (np.diff(ts.astype("int64")) >= 0).all()


def test_zero_events() -> None:
    assert list(generate_events(n_events=0)) == []


def test_lebaran_table_and_estimate() -> None:
    assert str(lebaran_date(2024)) == "2024-04-10"
    assert str(lebaran_date(2025)) == "2025-03-31"
    # outside the table: mean-lunar-year estimate (published dates: 25 Jan 2031, 1 Dec 2035)
    assert abs((lebaran_date(2031) - dt.date(2031, 1, 25)).days) <= 2
    assert abs((lebaran_date(2035) - dt.date(2035, 12, 1)).days) <= 2


def test_day_weights_design() -> None:
    days, w = day_weights(2024)
    assert len(days) == 366
    s = pd.Series(w, index=pd.to_datetime(days))
    lebaran = s.loc["2024-04-08":"2024-04-14"].mean()  # type: ignore[misc]  # pandas-stubs: date-string slices
    assert lebaran < 0.3 * s.loc["2024-05-06":"2024-05-12"].mean()  # type: ignore[misc]
    assert s["2024-12"].mean() == s.groupby(s.index.month).mean().max()


def test_seasonality(year2024: pd.DataFrame) -> None:
    per_month = year2024.groupby(year2024.ts.dt.month).size()
    assert per_month.idxmax() == 12  # year-end peak
    assert per_month[4] < 0.9 * per_month[5]  # Lebaran 2024 (10 April) dip
    assert per_month[4] < 0.9 * per_month[6]
    per_day = year2024.groupby(year2024.ts.dt.normalize()).size()
    per_day = per_day.reindex(pd.date_range("2024-01-01", "2024-12-31"), fill_value=0)
    weekday = per_day[per_day.index.dayofweek < 5].mean()
    weekend = per_day[per_day.index.dayofweek >= 5].mean()
    assert weekday > 2.5 * weekend


def test_office_hours(year2024: pd.DataFrame) -> None:
    counter = year2024[year2024.channel.isin(["loket", "jemput_bola"])]
    assert counter.ts.dt.hour.between(8, 15).all()
    digital = year2024[year2024.channel.isin(["online", "mobile"])]
    assert (~digital.ts.dt.hour.between(8, 15)).mean() > 0.15  # online happens after hours too


def test_kecamatan_weights_and_lagging(year2024: pd.DataFrame) -> None:
    model = build_model(n_events=60_000, seed=42)
    observed = year2024.kecamatan.value_counts(normalize=True).reindex(model.kecamatan, fill_value=0)
    assert np.abs(observed.to_numpy() - model.kec_weight).max() < 0.01
    assert np.corrcoef(observed.to_numpy(), model.kec_weight)[0, 1] > 0.99
    # Pangkalan Balai's kecamatan has the highest uptake, the designed laggards the lowest.
    uptake = dict(zip(model.kecamatan, model.uptake, strict=True))
    assert max(uptake, key=uptake.get) == "16.07.03"  # type: ignore[arg-type]
    assert sorted(uptake, key=uptake.get)[:3] == sorted(LAGGING_KECAMATAN, key=uptake.get)  # type: ignore[arg-type]


def test_channel_mix(year2024: pd.DataFrame) -> None:
    share = year2024.groupby("programme").channel.value_counts(normalize=True)
    assert share["oss"]["online"] > 0.6
    assert share["simpada"]["loket"] > 0.4
    remote = year2024.kecamatan.isin(LAGGING_KECAMATAN)
    jb = year2024.channel == "jemput_bola"
    assert jb[remote].mean() > 2 * jb[~remote].mean()


def test_citizens_repeat_and_are_not_niks(year2024: pd.DataFrame) -> None:
    monthly = year2024.groupby(year2024.ts.dt.month).agg(tx=("citizen", "size"), mac=("citizen", "nunique"))
    assert (monthly.mac < monthly.tx).all()
    assert year2024.citizen.nunique() < 0.5 * len(year2024)
    assert not year2024.citizen.str.fullmatch(r"\d{16}").any()
    assert year2024.citizen.str.len().eq(20).all()


def test_desa_belongs_to_kecamatan(year2024: pd.DataFrame) -> None:
    parent = {d.code: d.kecamatan_code for d in desa_list("16.07")}
    with_desa = year2024.dropna(subset=["desa"])
    assert 0.05 < 1 - len(with_desa) / len(year2024) < 0.3
    assert (with_desa.desa.map(parent) == with_desa.kecamatan).all()
