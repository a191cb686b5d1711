"""Command-line entry points for packs, scoring and what-if (wrapped by the Django CLI).

Exit codes: 0 ok, 1 data error (unknown code, out-of-scale value, invalid pack), 2 usage error
(bad arguments, unreadable or malformed input file, unknown pack).
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from .engine import ScoreResult, ScoringError, score
from .packs import Pack, PackError, PackNotFound, available_packs, get_pack, load_pack
from .whatif import best_improvements

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of calling sys.exit, so callers get an exit code back."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: error: {message}")

    def exit(self, status: int = 0, message: str | None = None) -> None:  # type: ignore[override]
        if message:
            raise _UsageError(message)
        raise _HelpShown(status)


class _HelpShown(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


def _run(parser: _Parser, argv: Sequence[str], stdout: TextIO, stderr: TextIO, body: Any) -> int:
    try:
        old = sys.stdout
        sys.stdout = stdout  # argparse prints --help to sys.stdout
        try:
            args = parser.parse_args(list(argv))
        finally:
            sys.stdout = old
        return int(body(args))
    except _HelpShown as exc:
        return exc.status
    except _UsageError as exc:
        print(str(exc).rstrip(), file=stderr)
        return EXIT_USAGE
    except ScoringError as exc:
        print(f"error: {exc}", file=stderr)
        return EXIT_DATA
    except PackError as exc:
        print(f"error: {exc}", file=stderr)
        return EXIT_DATA


def _resolve_pack(code: str, version: str | None) -> Pack:
    # A path lets an administrator try a pack file before it is installed.
    if code.endswith(".toml") and Path(code).is_file():
        return load_pack(Path(code))
    try:
        return get_pack(code, version)
    except PackNotFound as exc:
        raise _UsageError(f"error: {exc}") from None


def _read_input(path: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise _UsageError(f"error: cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise _UsageError(f"error: {path} is not UTF-8 text (byte {exc.start}): save it as UTF-8 JSON") from None
    try:
        data = json.loads(text, parse_float=Decimal)  # Decimal: 2.865 must not become 2.86499...
    except json.JSONDecodeError as exc:
        raise _UsageError(f"error: {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise _UsageError(f'error: {path}: expected a JSON object with "scores" or "answers"')
    # Keys starting with "_" are notes for people (e.g. "_comment" with the hand computation).
    unknown = {k for k in data if not k.startswith("_")} - {
        "scores", "answers", "given", "previous", "changes", "instances"}
    if unknown:
        raise _UsageError(f"error: {path}: unknown top-level key(s): {', '.join(sorted(unknown))}")
    if "scores" not in data and "answers" not in data and "given" not in data:
        raise _UsageError(f'error: {path}: expected a JSON object with "scores" or "answers"')
    for key in ("scores", "answers", "given", "changes"):
        if key in data and not isinstance(data[key], dict):
            raise _UsageError(f'error: {path}: "{key}" must be an object of code: value')
    instances = data.get("instances", {})
    if not isinstance(instances, dict) or not all(
        isinstance(items, dict) and all(isinstance(a, dict) for a in items.values())
        for items in instances.values()
    ):
        raise _UsageError(
            f'error: {path}: "instances" must be an object {{kind: {{id: {{code: level}}}}}}, '
            'e.g. {"innovation": {"jam-kunci": {"sid.16": 3}}}'
        )
    return data


def _inputs(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], Any]:
    given = {**data.get("given", {}), **data.get("scores", {})}
    return dict(data.get("answers", {})), given, data.get("previous")


# --------------------------------------------------------------------------- packs


def _packs_parser() -> _Parser:
    p = _Parser(
        prog="packs",
        description="List the rubric packs shipped with kotacerdas: status (official or reconstructed), "
        "status of the predicate bands, evaluation years and source.",
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    return p


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _years(p: Pack) -> str:
    return p.validity_text or "any year"


def pack_summary(p: Pack) -> dict[str, Any]:
    """What ``kotacerdas packs --format json`` says about one pack."""
    return {
        "code": p.code,
        "version": p.version,
        "name": p.name,
        "status": p.status,
        "bands_status": p.bands_status,
        "valid_from": p.valid_from,
        "valid_to": p.valid_to,
        "valid_years": p.validity_text or None,
        "source": p.source,
        "digest": p.digest,
        "scale": [p.scale_min, p.scale_max],
        "index": {"aggregation": p.index_aggregation, "scale": list(p.index_scale)},
        "dimensions": [
            {"code": d.code, "name": d.name, "weight": float(d.weight or 0)} for d in p.dimensions
        ],
    }


def packs_main(argv: Sequence[str], stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    def body(args: argparse.Namespace) -> int:
        packs = available_packs()
        if args.format == "json":
            json.dump([pack_summary(p) for p in packs], stdout, ensure_ascii=False, indent=2)
            stdout.write("\n")
            return EXIT_OK
        for p in packs:
            print(
                f"{p.code}  {p.version}  [{p.status}]  scale {p.scale_min}-{p.scale_max}"
                + (f"  index {p.index_scale[0]}-{p.index_scale[1]} (sum)" if p.index_aggregation == "sum" else "")
                + f"  {p.name}",
                file=stdout,
            )
            print(f"    bands: {p.bands_status}  years: {_years(p)}", file=stdout)
            print(
                textwrap.fill(
                    _one_line(p.source),
                    width=100,
                    initial_indent="    source: ",
                    subsequent_indent=" " * 12,
                    break_on_hyphens=False,
                ),
                file=stdout,
            )
            for d in p.dimensions:
                print(f"    {d.code:<22} {_num(d.weight):>6} %  {d.name}", file=stdout)
        return EXIT_OK

    return _run(_packs_parser(), argv, stdout, stderr, body)


def _num(d: Decimal | None) -> str:
    return "-" if d is None else format(d.normalize(), "f")


# --------------------------------------------------------------------------- score


def _score_parser() -> _Parser:
    p = _Parser(prog="score", description="Score a JSON file of dimension scores or indicator answers.")
    p.add_argument("--pack", required=True, help="pack code (or path to a .toml pack file)")
    p.add_argument("--version", help="pack version (default: newest)")
    p.add_argument("--format", choices=("json", "table"), default="json")
    p.add_argument("--trace", action="store_true", help="include the formula trace in JSON output")
    p.add_argument(
        "file",
        help='JSON: {"scores": {dimension: score}} or {"answers": {code: level}}, with "instances": '
        '{kind: {id: {code: level}}} for packs that repeat a group per innovation; "-" for stdin',
    )
    return p


# Result letters print dimensions rounded to two decimals, but the index is computed from the
# unrounded dimension scores (``dimensions_raw``, ``index_raw``).
ROUNDING_NOTE = (
    "index computed from unrounded dimension scores (dimensions_raw); recomputing it from the rounded "
    "dimensions shown can differ by 0.01"
)
WITHHELD_NOTE = "no predicate published: the pack's predicate ranges are {status}, not official"


def _result_json(result: ScoreResult, trace: bool) -> dict[str, Any]:
    out = result.to_dict()
    if not trace:
        out.pop("trace")
    out["rounding_note"] = ROUNDING_NOTE
    return out


def _result_table(result: ScoreResult, pack: Pack, stdout: TextIO) -> None:
    names = {d.code: d for d in pack.dimensions}
    print(f"{pack.name}  ({pack.code} {pack.version})", file=stdout)
    summed = pack.index_aggregation == "sum"
    for code, value in result.dimensions.items():
        w = names[code].weight
        shown = "" if summed else f"{_num(w):>6} %"
        raw = result.dimensions_raw.get(code)
        text = "-" if value is None else f"{value:f}"
        print(f"  {code:<22} {shown:>8}  {text:>6}" + ("" if raw is None else f"   (raw {raw})"), file=stdout)
    for kind, n in result.instance_counts.items():
        print(f"  {kind + 's':<22} {'':>8}  {n}", file=stdout)
    lo, hi = pack.index_scale
    print(f"  {'index':<22} {'':>8}  {result.index:f}   (raw {result.index_raw}; scale {lo}-{hi})", file=stdout)
    if not summed:
        print(f"  {'mean':<22} {'':>8}  {result.mean:f}", file=stdout)
    if result.predicate:
        print(f"  predicate: {result.predicate.label} ({result.predicate.label_en})", file=stdout)
    elif result.predicate_status not in ("official", "none"):
        print(f"  predicate: - ({WITHHELD_NOTE.format(status=result.predicate_status)})", file=stdout)
    if result.improvement is not None:
        print(f"  improvement: {result.improvement:+f} (previous {result.previous})", file=stdout)
    for code, value in result.pillars.items():
        if value is not None:
            print(f"  pillar {code:<15} {value:f}", file=stdout)
    if result.missing:
        print(f"  missing answers: {len(result.missing)} ({result.missing[0].treatment})", file=stdout)
    print(f"  formula: {result.step('index').formula_text}", file=stdout)
    print(f"  note: {ROUNDING_NOTE}", file=stdout)


def score_main(argv: Sequence[str], stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    def body(args: argparse.Namespace) -> int:
        pack = _resolve_pack(args.pack, args.version)
        data = _read_input(args.file)
        answers, given, previous = _inputs(data)
        result = score(pack, answers, given, previous, instances=data.get("instances"))
        if args.format == "table":
            _result_table(result, pack, stdout)
        else:
            json.dump(_result_json(result, args.trace), stdout, ensure_ascii=False, indent=2)
            stdout.write("\n")
        return EXIT_OK

    return _run(_score_parser(), argv, stdout, stderr, body)


# --------------------------------------------------------------------------- simulate


def _simulate_parser() -> _Parser:
    p = _Parser(prog="simulate", description="Rank the single-level raises that improve the index most.")
    p.add_argument("--pack", required=True, help="pack code (or path to a .toml pack file)")
    p.add_argument("--version", help="pack version (default: newest)")
    p.add_argument("--top", type=int, default=10)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("file", help='JSON: {"answers": {code: level}}, optionally "given", "previous", "changes"')
    return p


def simulate_main(argv: Sequence[str], stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    def body(args: argparse.Namespace) -> int:
        if args.top < 1:
            raise _UsageError("simulate: error: --top must be at least 1")
        pack = _resolve_pack(args.pack, args.version)
        data = _read_input(args.file)
        answers, given, previous = _inputs(data)
        answers.update(data.get("changes", {}))
        base = score(pack, answers, given, previous)
        ranking = best_improvements(pack, answers, args.top, given, previous)
        if args.format == "json":
            json.dump(
                {
                    "index": float(base.index),
                    "index_raw": str(base.index_raw),
                    "improvements": [i.to_dict() for i in ranking],
                },
                stdout,
                ensure_ascii=False,
                indent=2,
            )
            stdout.write("\n")
            return EXIT_OK
        print(f"current index {base.index:f} (raw {base.index_raw})", file=stdout)
        if not ranking:
            print("no single-level raise improves the index", file=stdout)
        for n, imp in enumerate(ranking, 1):
            frm = "-" if imp.from_level is None else _num(imp.from_level)
            print(
                f"{n:>3}. {imp.code:<42} {frm:>4} -> {imp.to_level}  "
                f"+{imp.gain.quantize(Decimal('0.0001')):f}"
                f"  -> {imp.new_index:f}",
                file=stdout,
            )
        return EXIT_OK

    return _run(_simulate_parser(), argv, stdout, stderr, body)


COMMANDS = {"packs": packs_main, "score": score_main, "simulate": simulate_main}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        print(f"usage: python -m kotacerdas.scoring.cli {{{'|'.join(COMMANDS)}}} ...", file=sys.stderr)
        return EXIT_USAGE
    return COMMANDS[args[0]](args[1:], sys.stdout, sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
