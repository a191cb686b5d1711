"""TOML dump/load and Excel export/import round trips; Excel errors name sheet and row."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from kotacerdas.scoring.packs import PackError, dump_pack, load_pack
from kotacerdas.scoring.xlsx import export_pack_xlsx, import_pack_xlsx


@pytest.mark.parametrize("fixture", ["kominfo", "spbe", "mini"])
def test_it_round_trips_through_toml(fixture, request):
    pack = request.getfixturevalue(fixture)
    again = load_pack(dump_pack(pack))
    assert again == pack
    assert again.digest == pack.digest
    assert dump_pack(again) == dump_pack(pack)


def _xlsx(pack) -> io.BytesIO:
    buf = io.BytesIO()
    export_pack_xlsx(pack, buf)
    buf.seek(0)
    return buf


@pytest.mark.parametrize("fixture", ["kominfo", "spbe", "mini"])
def test_it_round_trips_through_excel(fixture, request):
    pack = request.getfixturevalue(fixture)
    again = import_pack_xlsx(_xlsx(pack))
    assert again == pack
    assert again.digest == pack.digest


def test_it_exports_the_expected_sheets(kominfo):
    wb = load_workbook(_xlsx(kominfo))
    assert wb.sheetnames[:3] == ["Pack", "Nodes", "Bands"]
    assert {"Pillars", "Subdimensions", "ActionPlan", "SurveyItems", "RiskLikelihood"} <= set(wb.sheetnames)
    header = [c.value for c in wb["Nodes"][1]]
    assert header[:3] == ["code", "parent", "kind"]
    levels = ["level_0", "level_1", "level_2", "level_3", "level_4"]
    # The English descriptors follow the Indonesian ones (only for a pack that has some).
    assert header[-10:] == [*levels, *(c.replace("level_", "level_en_") for c in levels)]
    rows = {r[0]: r for r in wb["Nodes"].iter_rows(min_row=2, values_only=True)}
    assert rows["output.kebijakan.masterplan"][1] == "output.kebijakan"
    assert rows["output.kebijakan.masterplan"][6] == 60


def _edited(pack, sheet: str, cell: str, value) -> io.BytesIO:
    wb = load_workbook(_xlsx(pack))
    wb[sheet][cell] = value
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def _row_of(pack, code: str) -> int:
    wb = load_workbook(_xlsx(pack))
    for n, row in enumerate(wb["Nodes"].iter_rows(min_row=2, values_only=True), 2):
        if row[0] == code:
            return n
    raise KeyError(code)


def test_it_names_sheet_and_row_for_bad_weights(mini):
    row = _row_of(mini, "a.1")
    with pytest.raises(PackError) as info:
        import_pack_xlsx(_edited(mini, "Nodes", f"G{row}", 70))
    issue = info.value.issues[0]
    assert (issue.sheet, issue.line) == ("Nodes", row)
    assert f"sheet 'Nodes' row {row}" in str(info.value) and "sum to 95" in str(info.value)


def test_it_names_sheet_and_row_for_an_unknown_parent(mini):
    row = _row_of(mini, "b.g.1")
    with pytest.raises(PackError, match=rf"sheet 'Nodes' row {row}: b.g.1: unknown parent 'b.x'"):
        import_pack_xlsx(_edited(mini, "Nodes", f"B{row}", "b.x"))


def test_it_names_sheet_and_row_for_a_missing_level(mini):
    row = _row_of(mini, "b.3")
    with pytest.raises(
        PackError, match=rf"sheet 'Nodes' row {row}: b.3.levels: missing descriptor for level\(s\) 2"
    ):
        import_pack_xlsx(_edited(mini, "Nodes", f"N{row}", None))


def test_it_names_the_bands_sheet_for_a_gap(mini):
    with pytest.raises(PackError, match=r"sheet 'Bands' row 3: .*gap between bands"):
        import_pack_xlsx(_edited(mini, "Bands", "C3", 2.5))


def test_it_names_the_pack_sheet_for_a_bad_policy(mini):
    wb = load_workbook(_xlsx(mini))
    row = next(
        n
        for n, r in enumerate(wb["Pack"].iter_rows(min_row=2, values_only=True), 2)
        if r[0] == "missing_policy"
    )
    with pytest.raises(PackError, match=rf"sheet 'Pack' row {row}: .*unknown missing-answer policy"):
        import_pack_xlsx(_edited(mini, "Pack", f"B{row}", "ignore"))


def test_it_refuses_a_file_that_is_not_a_workbook():
    with pytest.raises(PackError, match="not a readable .xlsx"):
        import_pack_xlsx(io.BytesIO(b"not a zip"))


def test_the_workbook_offers_exactly_the_keys_the_pack_builder_accepts(mini):
    """The Pack sheet's keys and the Nodes sheet's columns come from the builder's own key lists, so a key
    the TOML accepts cannot be missing from the workbook (nor the other way round)."""
    from kotacerdas.scoring.packs import NODE_SCALAR_KEYS, PACK_SCALAR_KEYS
    from kotacerdas.scoring.packs.checks import _NODE_KEYS, _TOP_KEYS
    from kotacerdas.scoring.xlsx import NODE_COLUMNS, PACK_KEYS

    assert set(PACK_SCALAR_KEYS) <= _TOP_KEYS and set(NODE_SCALAR_KEYS) <= _NODE_KEYS
    assert {key.split(".")[0] for key in PACK_KEYS} <= _TOP_KEYS
    assert [key for key in PACK_KEYS if "." not in key] == list(PACK_SCALAR_KEYS)
    assert set(NODE_COLUMNS) - {"parent", "kind"} == set(NODE_SCALAR_KEYS)
    header = [c.value for c in load_workbook(_xlsx(mini))["Nodes"][1]]
    assert header[:len(NODE_COLUMNS)] == ["code", "parent", "kind", "name", "name_en", "description", "weight",
                                          "rule", "pillar", "subdimension", "evidence"]
