"""Malformed inputs: kept fixture files with their expected errors, and hypothesis fuzzing of the
parsers that face the outside (pack files, score input, uploads). Never an unhandled exception.
`make fuzz` runs the fuzz-marked tests with many more examples (--hypothesis-profile=long)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kotacerdas.evaluations.uploads import UploadRejected, check_upload
from kotacerdas.scoring.cli import score_main
from kotacerdas.scoring.packs import PackError, load_pack

FIXTURES = Path(__file__).parent / "fixtures" / "score_inputs"
SCORE_INPUTS = {
    # file: (exit code, words the message must contain)
    "truncated.json": (2, "not valid JSON"),
    "empty.json": (2, "not valid JSON"),
    "not_utf8.json": (2, "not UTF-8"),
    "top_level_list.json": (2, "expected a JSON object"),
    "no_scores_or_answers.json": (2, "unknown top-level key(s): points"),
    "out_of_scale.json": (1, "'baseline' is 5.5, outside the scale 0..4"),
    "negative.json": (1, "'baseline' is -1, outside the scale"),
    "unknown_dimension.json": (1, "unknown code 'baselin'"),
    "not_a_number.json": (1, "'baseline' must be a number, got 'tiga'"),
    "null_value.json": (1, "'baseline' must be a number"),
    "boolean_value.json": (1, "'baseline' must be a number"),
    "unknown_indicator.json": (1, "unknown code 'no.such.indicator'"),
    "level_out_of_scale.json": (1, "'output.kebijakan.masterplan' is 9, outside the scale"),
    "bad_previous.json": (1, "'previous' must be a number"),
}


def test_it_keeps_an_expectation_for_every_fixture() -> None:
    assert {p.name for p in FIXTURES.glob("*.json")} - {"both_scores_and_answers.json",
                                                       "fractional_level.json"} == set(SCORE_INPUTS)


@pytest.mark.parametrize("name", sorted(SCORE_INPUTS))
def test_it_refuses_a_malformed_score_input_with_a_clear_message(name: str) -> None:
    code, words = SCORE_INPUTS[name]
    out, err = io.StringIO(), io.StringIO()
    assert score_main(["--pack", "kominfo-2021", str(FIXTURES / name)], out, err) == code
    assert words in err.getvalue()
    assert "Traceback" not in err.getvalue() and out.getvalue() == ""


@pytest.mark.fuzz
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
                    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
                        st.sampled_from(["scores", "answers", "previous", "baseline", "output", "impact",
                                         "output.kebijakan.masterplan", "x"]), kids, max_size=5),
                    max_leaves=12))
def test_it_never_crashes_on_any_json_score_input(tmp_path_factory, value) -> None:
    path = tmp_path_factory.mktemp("fz") / "in.json"
    path.write_text(json.dumps(value, allow_nan=True))
    out, err = io.StringIO(), io.StringIO()
    assert score_main(["--pack", "kominfo-2021", str(path)], out, err) in (0, 1, 2)
    assert "Traceback" not in err.getvalue()


PACK_HEAD = 'code = "fz"\nname = "Fuzz"\nversion = "1"\n'


@pytest.mark.fuzz
@settings(deadline=None)
@given(st.text(max_size=400))
def test_it_refuses_any_broken_pack_text_cleanly(text: str) -> None:
    try:
        load_pack(PACK_HEAD + text)
    except PackError as exc:
        assert exc.issues and all(i.message for i in exc.issues)


@pytest.mark.fuzz
@settings(deadline=None)
@given(st.binary(max_size=4096), st.sampled_from(["a.pdf", "a.png", "a.docx", "a.xlsx", "a", "a.exe", "../../x.pdf"]))
def test_it_classifies_any_upload_or_refuses_it(data: bytes, name: str) -> None:
    try:
        checked = check_upload(data, name, 10 * 1024 * 1024)
    except UploadRejected as exc:
        assert str(exc)
    else:
        assert checked.size == len(data) and checked.extension.startswith(".")
