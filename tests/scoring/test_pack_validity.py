"""Pack validity years: parsed, checked, round-tripped, and kept out of the digest."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from kotacerdas.scoring.packs import PackError, dump_pack, get_pack, load_pack
from kotacerdas.scoring.xlsx import export_pack_xlsx, import_pack_xlsx

FIXTURES = Path(__file__).parent / "fixtures"


def _mini_with(lines: str) -> str:
    text = (FIXTURES / "mini.toml").read_text(encoding="utf-8")
    head, sep, rest = text.partition("\n[")
    return head + "\n" + lines + "\n" + sep + rest


def test_it_reads_validity_years_and_answers_per_year():
    pack = load_pack(_mini_with("valid_from = 2021\nvalid_to = 2024"))
    assert (pack.valid_from, pack.valid_to) == (2021, 2024)
    assert [y for y in range(2019, 2027) if pack.valid_for(y)] == [2021, 2022, 2023, 2024]
    assert pack.validity_text == "2021\u20132024"


def test_it_names_a_single_year_once():
    pack = load_pack(_mini_with("valid_from = 2023\nvalid_to = 2023"))
    assert pack.validity_text == "2023" and pack.valid_for(2023) and not pack.valid_for(2024)


def test_it_treats_missing_bounds_as_open():
    open_end = load_pack(_mini_with("valid_from = 2026"))
    assert open_end.valid_for(2026) and open_end.valid_for(2099) and not open_end.valid_for(2025)
    assert open_end.validity_text == "2026\u2013"
    unbounded = load_pack(FIXTURES / "mini.toml")
    assert (unbounded.valid_from, unbounded.valid_to, unbounded.validity_text) == (None, None, "")
    assert unbounded.valid_for(1990) and unbounded.valid_for(2100)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("valid_from = 2025\nvalid_to = 2021", "valid_to 2021 is before valid_from 2025"),
        ('valid_from = "2021"', "valid_from: must be an integer"),
        ("valid_to = 2021.5", "valid_to: must be an integer"),
        ("valid_from = 1066", "year 1066 is outside 1990..2100"),
        ("valid_until = 2024", "valid_until: unknown key"),
    ],
)
def test_it_refuses_bad_validity_years_naming_the_line(lines, message):
    with pytest.raises(PackError) as err:
        load_pack(_mini_with(lines))
    text = str(err.value)
    assert message in text
    assert "line " in text and "(no line)" not in text


def test_it_leaves_validity_out_of_the_digest():
    """Correcting the years a method applies to must not make stored results look computed with another pack."""
    pack = load_pack(FIXTURES / "mini.toml")
    bounded = replace(pack, valid_from=2021, valid_to=2024)
    assert bounded.digest == pack.digest
    assert replace(pack, decimals=3).digest != pack.digest


def test_it_kept_the_spbe_2020_1_digest_when_it_gained_validity_years():
    pack = get_pack("spbe-2020", "2020.1")
    assert (pack.valid_from, pack.valid_to) == (2021, 2025)
    # The digest recorded for 2020.1 before the pack had validity years.
    assert pack.digest == "1cff6365f7b6482adda2fa6b841d2533d47d23bbde2864a14993d6d3ac9ddc98"


def test_it_round_trips_validity_through_toml_and_excel():
    pack = load_pack(_mini_with("valid_from = 2021\nvalid_to = 2024"))
    again = load_pack(dump_pack(pack))
    assert again == pack and (again.valid_from, again.valid_to) == (2021, 2024)
    buf = io.BytesIO()
    export_pack_xlsx(pack, buf)
    buf.seek(0)
    assert import_pack_xlsx(buf) == pack


@pytest.mark.parametrize("version, digest", [
    ("2021.1", "af13f51ec8b13b9a699c33d05d44365db77ab2ad075a2623b90f9fece687d7fc"),
    ("2021.2", "9bfb7dba7ba0b77dd20f69f68386dc27f841d12e1edf267c2dbe0f8bd2e1a1c6"),
])
def test_it_applies_kominfo_2021_from_2021_on_and_kept_its_digests(version: str, digest: str) -> None:
    pack = get_pack("kominfo-2021", version)
    assert (pack.valid_from, pack.valid_to) == (2021, None)
    assert pack.digest == digest  # recorded before the pack had validity years
