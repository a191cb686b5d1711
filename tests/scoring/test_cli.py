"""CLI functions: output, exit codes and messages."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kotacerdas.scoring.cli import main, packs_main, score_main, simulate_main


def run(fn, *argv):
    out, err = io.StringIO(), io.StringIO()
    code = fn(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def write(tmp_path: Path):
    def _write(data, name="input.json") -> str:
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
        return str(path)

    return _write


BANYUASIN = {
    "scores": {"baseline": 3.10, "output": 2.90, "outcome": 2.95, "impact": 2.75, "quick_win": 2.70},
    "previous": 2.79,
}


def test_it_lists_packs():
    code, out, _ = run(packs_main)
    assert code == 0
    assert "kominfo-2021  2021.1  [reconstructed]" in out
    assert "manajemen" in out and "16.5 %" in out
    code, out, _ = run(packs_main, "--format", "json")
    data = json.loads(out)
    assert {p["code"] for p in data} >= {"kominfo-2021", "spbe-2020"}


def test_it_lists_each_pack_with_status_bands_years_and_source():
    code, out, _ = run(packs_main)
    assert code == 0
    # One block of lines per pack, starting at its header line.
    lines = out.splitlines()
    heads = [i for i, line in enumerate(lines) if not line.startswith(" ")]
    blocks = {
        " ".join(lines[i].split()[:2]): "\n".join(lines[i : j or None])
        for i, j in zip(heads, [*heads[1:], 0], strict=True)
    }
    spbe = blocks["spbe-2020 2020.1"]
    assert "[reconstructed]" in spbe and "bands: official  years: 2021\u20132025" in spbe
    assert "source: PermenPANRB Nomor 59 Tahun 2020" in spbe
    kominfo = blocks["kominfo-2021 2021.1"]
    assert "bands: provisional" in kominfo and "source: " in kominfo

    code, out, _ = run(packs_main, "--format", "json")
    data = {(p["code"], p["version"]): p for p in json.loads(out)}
    spbe_json = data[("spbe-2020", "2020.1")]
    assert spbe_json["status"] == "reconstructed" and spbe_json["bands_status"] == "official"
    assert (spbe_json["valid_from"], spbe_json["valid_to"], spbe_json["valid_years"]) == (
        2021,
        2025,
        "2021\u20132025",
    )
    assert spbe_json["source"].startswith("PermenPANRB Nomor 59 Tahun 2020")
    for pack in data.values():
        assert pack["status"] in ("official", "reconstructed", "provisional")
        assert pack["bands_status"] in ("official", "reconstructed", "provisional")
        assert pack["source"].strip()


def test_it_scores_dimension_scores_to_json(write):
    code, out, err = run(score_main, "--pack", "kominfo-2021", write(BANYUASIN))
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["index"] == 2.87 and data["index_raw"] == "2.865" and data["mean"] == 2.88
    assert data["predicate"] is None and data["predicate_status"] == "provisional"
    assert data["improvement"] == 0.08
    assert "can differ by 0.01" in data["rounding_note"]
    assert data["dimensions"] == {
        "baseline": 3.1,
        "output": 2.9,
        "outcome": 2.95,
        "impact": 2.75,
        "quick_win": 2.7,
    }
    assert "trace" not in data


def test_it_scores_answers_as_a_table(write):
    path = write({"answers": {"baseline.peningkatan_indeks": 4}})
    code, out, _ = run(score_main, "--pack", "kominfo-2021", "--version", "2021.1", "--format", "table", path)
    assert code == 0
    assert "index" in out and "0.16" in out and "missing answers: 50 (zero)" in out


def test_it_exits_1_naming_an_unknown_code(write):
    code, out, err = run(score_main, "--pack", "kominfo-2021", write({"scores": {"basline": 3}}))
    assert code == 1 and out == ""
    assert "unknown code 'basline'" in err


def test_it_exits_1_naming_an_out_of_scale_value(write):
    code, _, err = run(
        score_main, "--pack", "kominfo-2021", write({"answers": {"impact.data.partisipasi": 7}})
    )
    assert code == 1 and "'impact.data.partisipasi' is 7, outside the scale 0..4" in err
    code, _, err = run(score_main, "--pack", "kominfo-2021", write({"scores": {"impact": "tinggi"}}))
    assert code == 1 and "'impact' must be a number" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"skor": {}}', "unknown top-level key(s): skor"),
        ('{"scores": [3, 2]}', '"scores" must be an object'),
    ],
)
def test_it_exits_2_on_a_malformed_file(write, content, message):
    code, _, err = run(score_main, "--pack", "kominfo-2021", write(content))
    assert code == 2 and message in err


def test_it_exits_2_on_usage_errors(write, tmp_path):
    code, _, err = run(score_main, write(BANYUASIN))
    assert code == 2 and "--pack" in err
    code, _, err = run(score_main, "--pack", "nope", write(BANYUASIN))
    assert code == 2 and "no rubric pack 'nope'" in err
    code, _, err = run(score_main, "--pack", "kominfo-2021", str(tmp_path / "absent.json"))
    assert code == 2 and "cannot read" in err
    code, _, err = run(score_main, "--pack", "kominfo-2021", "--format", "xml", write(BANYUASIN))
    assert code == 2 and "invalid choice" in err


def test_it_exits_1_on_an_invalid_pack_file(write):
    bad = Path(__file__).parent / "fixtures" / "bad_packs" / "weights_not_100.toml"
    code, _, err = run(score_main, "--pack", str(bad), write({"answers": {"a.1": 2}}))
    assert code == 1 and "line 38" in err


def test_it_prints_the_what_if_ranking(write):
    answers = {"answers": {"baseline.peningkatan_indeks": 2, "outcome.program.governance": 1}}
    code, out, _ = run(simulate_main, "--pack", "kominfo-2021", "--top", "3", write(answers))
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("current index") and len(lines) == 4
    assert "output.kebijakan.masterplan" in lines[1] and "- -> 1" in lines[1] and "+0.0480" in lines[1]
    assert "baseline.peningkatan_indeks" in lines[2] and "2 -> 3" in lines[2]
    code, out, _ = run(simulate_main, "--pack", "kominfo-2021", "--format", "json", write(answers))
    data = json.loads(out)
    assert (
        len(data["improvements"]) == 10 and data["improvements"][0]["code"] == "output.kebijakan.masterplan"
    )
    code, _, err = run(simulate_main, "--pack", "kominfo-2021", "--top", "0", write(answers))
    assert code == 2 and "--top" in err


def test_it_dispatches_main():
    assert main(["nothing"]) == 2
    assert main(["packs"]) == 0


def test_it_runs_as_a_module(write):
    proc = subprocess.run(
        [sys.executable, "-m", "kotacerdas.scoring.cli", "score", "--pack", "kominfo-2021", write(BANYUASIN)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["index"] == 2.87
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kotacerdas.scoring.cli",
            "score",
            "--pack",
            "kominfo-2021",
            write({"scores": {"x": 1}}, "bad.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1 and "unknown code 'x'" in proc.stderr
