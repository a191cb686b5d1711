from __future__ import annotations

from kotacerdas.analytics import kecamatan_population
from kotacerdas.analytics.reference import desa_list, kabupaten_population, kecamatan_list


def test_codes() -> None:
    kecs = kecamatan_list("16.07")
    assert len(kecs) == 21
    assert [k.code for k in kecs] == [f"16.07.{i:02d}" for i in range(1, 22)]
    desa = desa_list("16.07")
    assert len(desa) == 313
    assert sum(k.desa_count + k.kelurahan_count for k in kecs) == 313
    assert all(d.code.startswith(d.kecamatan_code + ".") for d in desa)


def test_population_estimate_sums_to_kabupaten_and_flags_estimates() -> None:
    pops = kecamatan_population("16.07")
    assert len(pops) == 21
    assert sum(p for p, _ in pops.values()) == kabupaten_population("16.07") == 888_324
    # Official BPS figures are kept as is, not estimated.
    assert pops["16.07.05"] == (56_581, False)
    assert pops["16.07.11"] == (41_561, False)
    assert sum(est for _, est in pops.values()) == 19


def test_population_estimate_is_proportional_to_desa_count() -> None:
    pops = kecamatan_population("16.07")
    units = {k.code: k.desa_count + k.kelurahan_count for k in kecamatan_list("16.07")}
    rest = 888_324 - 56_581 - 41_561
    rest_units = sum(u for c, u in units.items() if pops[c][1])
    for code, (p, est) in pops.items():
        if est:
            assert abs(p - rest * units[code] / rest_units) < 1.0
