from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from kotacerdas.core import commandline as cli
from kotacerdas.evaluations.management.lookup import find_cycle

from ._national import EXIT_HELP, ActionCommand


class Command(ActionCommand):
    help = ("Panel asesor: bentuk, tugaskan wilayah, usulan penugasan / Assessor panels: form, assign regions, "
            "suggest assignments (seimbang, sesuai kelas, tanpa konflik kepentingan / balanced, by kelas, no "
            "conflict of interest). " + EXIT_HELP)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="step", required=True)
        f = sub.add_parser("form", help="bentuk panel / form a panel")
        f.add_argument("--name", required=True)
        f.add_argument("--kelas", choices=["A", "B"], required=True)
        f.add_argument("--lead", required=True, help="email ketua / lead's email")
        f.add_argument("--members", required=True, help="email anggota, dipisah koma / members' emails, comma-separated")
        self.add_common(f)
        a = sub.add_parser("assign", help="tugaskan wilayah ke panel / assign regions to a panel")
        a.add_argument("--panel", required=True, help="nama panel / panel name")
        a.add_argument("regions", nargs="+", help="kode wilayah / region codes")
        self.add_common(a)
        s = sub.add_parser("suggest", help="usulan penugasan / suggest assignments")
        s.add_argument("--apply", action="store_true", help="simpan usulan / save the suggestion")
        self.add_common(s)

    def handle(self, *args: Any, **opts: Any) -> None:
        from kotacerdas.evaluations import actions
        from kotacerdas.evaluations.models import Panel

        user = cli.actor(opts["actor"])
        cycle = find_cycle(opts["year"], opts["pack"])
        step = opts["step"]
        if step == "form":
            lead = cli.actor(opts["lead"])
            members = [cli.actor(e.strip()) for e in opts["members"].split(",") if e.strip()]
            panel = self.run(lambda: actions.do_form_panel(user, cycle, name=opts["name"], region_class=opts["kelas"],
                                                           lead=lead, members=members))
            self.stdout.write(f"Panel dibentuk / formed: {panel.name} (Kelas {panel.region_class}, "
                              f"{panel.members.count()} asesor)")
        elif step == "assign":
            panel = Panel.objects.filter(cycle=cycle, name=opts["panel"]).first()
            if panel is None:
                raise cli.data_error(f"Panel {opts['panel']!r} tidak ada / no such panel")
            for code in opts["regions"]:
                self.run(lambda code=code: actions.do_assign(user, panel, code))
            self.stdout.write(f"{len(opts['regions'])} wilayah ditugaskan ke / regions assigned to {panel.name}")
        elif step == "suggest":
            s = self.run(lambda: actions.do_apply_suggestion(user, cycle) if opts["apply"]
                         else actions.suggest_assignments(cycle))
            for code, panel in s.assignments:
                self.stdout.write(f"{code}\t{panel.name}")
            for code, why in s.unplaced.items():
                self.stderr.write(f"{code}\t-\t{why}")
            load = ", ".join(f"{k}: {v}" for k, v in sorted(s.load().items()))
            self.stdout.write(("Disimpan / saved" if opts["apply"] else "Usulan / suggestion (--apply menyimpan)")
                              + f": {len(s.assignments)} wilayah; beban / load {load or '-'}; "
                              f"tidak tertempatkan / unplaced {len(s.unplaced)}")
