"""`kotacerdas analytics reach --region 16.07 --programme "JAM KUNCI" --year 2024 --format json`: the
monitoring questions from the command line, on the configured engine (or --backend)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotacerdas.lib.cells import cell as safe_cell

QUESTIONS = ("reach", "trend", "kpi-series", "evidence")


class Command(BaseCommand):
    help = ("Pertanyaan pemantauan: reach (jangkauan per kecamatan + Gini), trend (bulanan), "
            "kpi-series (deret KPI), evidence (bukti perbaikan KPI Outcome/Impact)")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("question", choices=QUESTIONS)
        parser.add_argument("--region", default="16.07")
        parser.add_argument("--programme", default="", help="kode atau nama program, mis. jam-kunci atau \"JAM KUNCI\"")
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
        parser.add_argument("--backend", choices=("duckdb", "pyspark"), default=None,
                            help="mesin analitik (bawaan: ANALYTICS_BACKEND)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from kotacerdas.catalogue.models import Programme
        from kotacerdas.monitoring import queries

        question, fmt = opts["question"], opts["format"]
        prog = None
        if question in ("reach", "trend", "kpi-series"):
            if not opts["programme"]:
                raise CommandError(f"{question} perlu --programme")
            try:
                prog = queries.resolve_programme(opts["programme"], region=opts["region"])
            except Programme.DoesNotExist:
                raise CommandError(f"Program {opts['programme']!r} tidak ada di {opts['region']}") from None
            except Programme.MultipleObjectsReturned as exc:
                raise CommandError(str(exc) or "Nama program ambigu; pakai kodenya") from None
        if question in ("reach", "evidence") and not opts["year"]:
            raise CommandError(f"{question} perlu --year")

        if question == "reach":
            reach = queries.reach_by_kecamatan(prog, opts["year"], backend_kind=opts["backend"])  # type: ignore[arg-type]
            data: Any = reach.as_dict()
            rows = [k for k in data["kecamatan"]]
            head = (f"{reach.programme_title} — {reach.region} {reach.year} ({reach.backend}): "
                    f"{reach.transactions:,} transaksi, {reach.users:,} warga, {reach.kecamatan_served}/"
                    f"{len(rows)} kecamatan, Gini {reach.gini if reach.gini is None else round(reach.gini, 3)}, "
                    f"tertinggal: {', '.join(reach.lagging) or '-'}"
                    + (" (penduduk sebagian perkiraan)" if reach.population_is_estimate else ""))
        elif question == "trend":
            data = rows = queries.activity_series(prog, backend_kind=opts["backend"])  # type: ignore[arg-type]
            head = f"{prog.title}: transaksi bulanan"  # type: ignore[union-attr]
        elif question == "kpi-series":
            series = [s.as_dict() for s in queries.kpi_series(prog)]  # type: ignore[arg-type]
            data = series
            rows = [{"kpi": s["code"], **p} for s in series for p in s["points"]]
            head = f"{prog.title}: KPI tingkat kabupaten"  # type: ignore[union-attr]
        else:
            data = rows = queries.improvement_evidence(opts["region"], opts["year"])
            head = f"{opts['region']} {opts['year']} vs {opts['year'] - 1}: bukti perbaikan KPI Outcome/Impact"

        if fmt == "json":
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        elif fmt == "csv":
            if rows:
                buf = io.StringIO()
                w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
                w.writeheader()
                w.writerows({k: safe_cell(v) for k, v in r.items()} for r in rows)
                self.stdout.write(buf.getvalue(), ending="")
        else:
            self.stdout.write(head)
            self.stdout.write(_table(rows))


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "ya" if v else "tidak"
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 1000 else f"{v:,.0f}"
    return "-" if v is None else str(v)


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(tidak ada data)"
    cols = [c for c in rows[0] if not isinstance(rows[0][c], list | dict)]
    cells = [[_fmt(r[c]) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    numeric = [isinstance(rows[0][c], int | float) and not isinstance(rows[0][c], bool) for c in cols]
    for row in cells:
        lines.append("  ".join(v.rjust(w) if num else v.ljust(w)
                               for v, w, num in zip(row, widths, numeric, strict=True)))
    return "\n".join(lines)
