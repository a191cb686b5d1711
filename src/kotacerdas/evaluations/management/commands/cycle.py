from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from kotacerdas.core import commandline as cli
from kotacerdas.evaluations.management.lookup import find_cycle

from ._national import EXIT_HELP, ActionCommand, date, moment


class Command(ActionCommand):
    help = ("Siklus evaluasi: buka, tambah peserta dari berkas, pindah tahap, finalkan, terbitkan / Evaluation "
            "cycle: open, add participants from a file, advance, finalise, publish. Contoh / example: kotacerdas "
            "cycle open --year 2026 --pack kominfo-2021 --version 2021.1 --as admin@kominfo.go.id. " + EXIT_HELP)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="step", required=True)
        o = sub.add_parser("open", help="buka siklus / open a cycle")
        o.add_argument("--year", type=int, required=True)
        o.add_argument("--pack", required=True, help="kode paket rubrik / pack code (kotacerdas packs)")
        o.add_argument("--version", dest="pack_version", required=True, help="versi paket / pack version")
        o.add_argument("--name", default="")
        o.add_argument("--opens-on", type=date)
        o.add_argument("--deadline", type=moment, help="batas penilaian mandiri / self-assessment deadline")
        o.add_argument("--tahap-1", type=date)
        o.add_argument("--tahap-2", type=date)
        o.add_argument("--assessment-starts", type=moment)
        o.add_argument("--assessment-ends", type=moment)
        o.add_argument("--final-on", type=date)
        o.add_argument("--publish-on", type=date)
        o.add_argument("--class-a-min", help="ambang indeks Kelas A / Kelas A index threshold")
        o.add_argument("--override-reason", default="",
                       help="alasan memakai paket di luar tahun berlakunya / reason to use a pack outside its years")
        o.add_argument("--coi-province", action="store_true",
                       help="konflik kepentingan satu provinsi / same-province conflict of interest")
        self.add_common(o, cycle=False)
        a = sub.add_parser("add-participants", help="tambah peserta dari .xlsx/.csv (kode, kelas) / add participants")
        a.add_argument("file")
        self.add_common(a)
        v = sub.add_parser("advance", help="pindah ke tahap berikutnya / move to the next stage")
        v.add_argument("--to", help="tahap tujuan / target stage (bawaan: berikutnya / default: next)")
        v.add_argument("--reason", default="")
        self.add_common(v)
        f = sub.add_parser("finalise", help="finalkan semua yang selesai dinilai / finalise every assessed result")
        f.add_argument("--reason", default="")
        self.add_common(f)
        p = sub.add_parser("publish", help="terbitkan hasil final / publish the final results")
        p.add_argument("--confirm", required=True, help='ketik "TERBITKAN <tahun>" / type "TERBITKAN <year>"')
        p.add_argument("--reason", default="")
        self.add_common(p)
        r = sub.add_parser("remind", help="ingatkan wilayah yang belum mengirim / remind late regions")
        self.add_common(r)

    def handle(self, *args: Any, **opts: Any) -> None:
        from decimal import Decimal, InvalidOperation

        from kotacerdas.evaluations import actions, queries

        user = cli.actor(opts["actor"])
        step = opts["step"]
        if step == "open":
            threshold = None
            if opts["class_a_min"]:
                try:
                    threshold = Decimal(opts["class_a_min"])
                except InvalidOperation as exc:
                    raise cli.usage_error("--class-a-min harus angka / must be a number") from exc
            cycle = self.run(lambda: actions.do_open_cycle(
                user, year=opts["year"], pack_code=opts["pack"], pack_version=opts["pack_version"], name=opts["name"],
                self_assessment_deadline=opts["deadline"], opens_on=opts["opens_on"], tahap_1_on=opts["tahap_1"],
                tahap_2_on=opts["tahap_2"], assessment_starts=opts["assessment_starts"],
                assessment_ends=opts["assessment_ends"], final_on=opts["final_on"], publish_on=opts["publish_on"],
                class_a_min_index=threshold, coi_same_province=opts["coi_province"],
                validity_override_reason=opts["override_reason"]))
            pack = queries.cycle_pack(cycle)
            self.stdout.write(f"Siklus dibuka / cycle opened: {cycle.name} ({cycle.pack_code}@{cycle.pack_version}, "
                              f"status paket / pack status: {pack.status})")
            return
        cycle = find_cycle(opts["year"], opts["pack"])
        if step == "add-participants":
            from kotacerdas.evaluations.participants import read_participants

            path = Path(opts["file"])
            if not path.is_file():
                raise cli.usage_error(f"Berkas {path} tidak ada / file not found")
            try:
                rows, errors = read_participants(path.read_bytes(), path.name)
            except ValueError as exc:
                raise cli.usage_error(str(exc)) from exc
            for e in errors:
                self.stderr.write(str(e))
            if errors:
                raise cli.data_error(f"{len(errors)} galat, tidak ada yang disimpan / errors, nothing saved")
            added = self.run(lambda: actions.do_add_participants(user, cycle, rows))
            self.stdout.write(f"{added} peserta ditambahkan / participants added; "
                              f"{cycle.participants.count()} peserta / participants")
        elif step == "advance":
            to, locks = queries.stage_locks(cycle)
            target = opts["to"] or to
            if target is None:
                raise cli.data_error("Siklus sudah di tahap terakhir / the cycle is at its last stage")
            self.run(lambda: actions.do_advance_stage(user, cycle, target, opts["reason"]))
            for line in locks:
                self.stdout.write(f"- {line}")
            cycle.refresh_from_db()
            self.stdout.write(f"Tahap sekarang / stage now: {cycle.get_stage_display()}")
        elif step == "finalise":
            n = self.run(lambda: actions.do_finalise_cycle(user, cycle, opts["reason"]))
            self.stdout.write(f"{n} hasil difinalkan / results finalised")
        elif step == "publish":
            phrase = queries.publish_phrase(cycle)
            if opts["confirm"].strip() != phrase:
                raise cli.usage_error(f"Ketik --confirm \"{phrase}\" untuk menerbitkan / to publish")
            n = self.run(lambda: actions.do_publish(user, cycle, opts["reason"]))
            self.stdout.write(f"{n} hasil diterbitkan / results published")
        elif step == "remind":
            n = self.run(lambda: actions.do_remind(user, cycle))
            self.stdout.write(f"Pengingat terkirim / reminders sent: {n}")
