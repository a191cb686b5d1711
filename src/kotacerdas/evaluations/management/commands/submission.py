from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from kotacerdas.core import commandline as cli
from kotacerdas.evaluations.management.lookup import find_cycle
from kotacerdas.regions.management.lookup import find_region

from ._national import EXIT_HELP, ActionCommand

STEPS = ["submit", "start-assessment", "score", "complete", "feedback", "consensus", "conclude", "reopen"]


class Command(ActionCommand):
    help = ("Satu pengajuan wilayah: kirim, mulai penilaian, skor asesor, selesai, umpan balik, konsensus, tutup, "
            "buka kembali / One region's submission: submit, start assessment, score, complete, feedback, consensus, "
            "conclude, reopen. Skor/konsensus dari berkas JSON {\"indikator\": tingkat} atau --all-level N. "
            + EXIT_HELP)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("step", choices=STEPS)
        parser.add_argument("region", help="kode wilayah / region code")
        parser.add_argument("--levels", help="berkas JSON {indikator: tingkat} / JSON file of levels")
        parser.add_argument("--all-level", type=int, help="tingkat yang sama untuk semua indikator / one level for all")
        parser.add_argument("--programme", help="kode program (umpan balik) / programme code (feedback)")
        parser.add_argument("--strengths", default="")
        parser.add_argument("--weaknesses", default="")
        parser.add_argument("--recommendation", default="")
        parser.add_argument("--reason", default="")
        self.add_common(parser)

    def _levels(self, opts: dict[str, Any], sub: Any) -> dict[str, int]:
        from kotacerdas.evaluations import queries

        if opts["levels"]:
            try:
                data = json.loads(Path(opts["levels"]).read_text(encoding="utf-8"))
                return {str(k): int(v) for k, v in data.items()}
            except (OSError, ValueError, AttributeError) as exc:
                raise cli.usage_error(f"--levels: {exc}") from exc
        if opts["all_level"] is not None:
            return dict.fromkeys(queries.indicator_codes(queries.cycle_pack(sub.cycle)), opts["all_level"])
        raise cli.usage_error("--levels FILE atau --all-level N wajib / is required")

    def handle(self, *args: Any, **opts: Any) -> None:
        from kotacerdas.catalogue.models import Programme
        from kotacerdas.evaluations import actions, queries

        user = cli.actor(opts["actor"])
        cycle = find_cycle(opts["year"], opts["pack"])
        find_region(opts["region"])
        sub = queries.stage_submission(cycle, opts["region"])
        if sub is None:
            raise cli.data_error(f"{opts['region']} bukan peserta siklus {cycle.year} / not a participant")
        sub.cycle = cycle
        step, reason = opts["step"], opts["reason"]
        if step == "submit":
            self.run(lambda: actions.do_submit(user, sub, reason))
        elif step == "start-assessment":
            self.run(lambda: actions.do_start_assessment(user, sub, reason))
        elif step == "score":
            levels = self._levels(opts, sub)
            for code, level in levels.items():
                self.run(lambda code=code, level=level: actions.do_score(user, sub, code, level))
        elif step == "complete":
            self.run(lambda: actions.do_complete_assessment(user, sub))
        elif step == "feedback":
            programme = Programme.objects.filter(region_id=sub.region_id, code=opts["programme"] or "").first()
            if programme is None:
                raise cli.data_error(f"Program {opts['programme']!r} tidak ada di wilayah ini / no such programme")
            self.run(lambda: actions.do_feedback(user, sub, programme, strengths=opts["strengths"],
                                                 weaknesses=opts["weaknesses"],
                                                 recommendation=opts["recommendation"]))
        elif step == "consensus":
            levels = self._levels(opts, sub)
            self.run(lambda: actions.do_set_consensus(user, sub, levels, reason))
        elif step == "conclude":
            self.run(lambda: actions.do_conclude(user, sub, reason))
        elif step == "reopen":
            self.run(lambda: actions.do_reopen(user, sub, reason))
        sub.refresh_from_db()
        self.stdout.write(f"{sub.region_id} {cycle.year} {sub.get_stage_display()}: {sub.get_status_display()}")
