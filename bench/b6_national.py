"""Benchmark 6 -- national administration at the size of a national cycle.

  add-participants  a file of the 514 kab/kota codes (CSV, half Kelas A) read by
                    evaluations.participants.read_participants and added by do_add_participants: 514
                    participations, 514 submissions and 1,028 audit events in one transaction (what the
                    upload on /nasional/kelola/, POST /cycles/{year}/participants/upload and
                    `kotacerdas cycle add-participants` do)
  suggest           suggest_assignments for the 514 participants over 20 panels (10 per kelas, 4 assessors
                    each, every assessor a member of one region: conflicts of interest are checked)
  suggest+apply     do_apply_suggestion: the same and the 514 assignments with their audit events written
Each round opens a fresh cycle (its own year), so every leg starts from the same state. Target: each
under 5 s on PostgreSQL (an absolute bound from the issue, not a ratio).
"""

from __future__ import annotations

import re
from typing import Any

from bench.common import Timing, bench_main, fmt_s, measure

ROUNDS = {"quick": 3, "full": 5}
PANELS = 20
PER_PANEL = 4
TARGET_S = 5.0


def _setup() -> tuple[Any, list[Any], list[str]]:
    from django.contrib.auth import get_user_model

    from kotacerdas.accounts.models import Membership
    from kotacerdas.regions.models import Region

    from . import b1_scoring as b1

    admin, _ = b1._users()
    # The real 514 kab/kota: benchmark 1 adds synthetic ones ("11.01x1", for its 5,140-region run) to the
    # same bench database, and a participants file only takes Kemendagri codes.
    codes = [c for c in Region.objects.filter(level="kabkota").order_by("code").values_list("code", flat=True)
             if re.fullmatch(r"\d{2}\.\d{2}", c)]
    User = get_user_model()
    assessors = []
    for i in range(PANELS * PER_PANEL):
        u, created = User.objects.get_or_create(username=f"bench-nas{i}@bench.test",
                                                defaults={"email": f"bench-nas{i}@bench.test"})
        if created:
            Membership.objects.create(user=u, role="assessor")
            # every assessor belongs to one region: the suggestion must keep that region off their panel
            Membership.objects.create(user=u, role="assessor", region_id=codes[(i * 37) % len(codes)])
        assessors.append(u)
    return admin, assessors, codes


def run(mode: str) -> dict[str, Any]:
    from kotacerdas.evaluations import actions
    from kotacerdas.evaluations.models import Assignment, Participation
    from kotacerdas.evaluations.participants import read_participants

    admin, assessors, codes = _setup()
    data = ("kode,kelas\n" + "".join(f"{c},{'A' if i % 2 else 'B'}\n" for i, c in enumerate(codes))).encode()
    out = {name: Timing(name, f"{len(codes)} regions, {PANELS} panels") for name in
           ("add-participants", "suggest", "suggest+apply")}
    info: dict[str, Any] = {"regions": len(codes), "file_kb": len(data) / 1024}
    for r in range(ROUNDS[mode] + 1):  # round 0 warms up, untimed
        cycle = actions.do_open_cycle(admin, year=2200 + r + (0 if mode == "quick" else 50),
                                      pack_code="kominfo-2021", pack_version="2021.1")

        def add(cycle: Any = cycle) -> int:
            rows, errors = read_participants(data, "peserta.csv")
            assert not errors, errors[:3]
            return actions.do_add_participants(admin, cycle, rows)

        wall, cpu, added = measure(add)
        assert added == len(codes), added
        for p in range(PANELS):
            team = assessors[p * PER_PANEL:(p + 1) * PER_PANEL]
            actions.do_form_panel(admin, cycle, name=f"Panel {p + 1:02d}", region_class="A" if p % 2 else "B",
                                  lead=team[0], members=team[1:])
        s_wall, s_cpu, suggestion = measure(lambda cycle=cycle: actions.suggest_assignments(cycle))
        a_wall, a_cpu, applied = measure(lambda cycle=cycle: actions.do_apply_suggestion(admin, cycle))
        assert Assignment.objects.filter(cycle=cycle).count() == len(applied.assignments)
        if r == 0:
            continue
        for name, w, c in (("add-participants", wall, cpu), ("suggest", s_wall, s_cpu),
                           ("suggest+apply", a_wall, a_cpu)):
            out[name].times.append(w)
            out[name].cpu.append(c)
        load = applied.load()
        info.update(participants=Participation.objects.filter(cycle=cycle).count(),
                    assigned=len(applied.assignments), unplaced=len(applied.unplaced),
                    load_min=min(load.values()), load_max=max(load.values()))
    return {"timings": {k: v.as_dict() for k, v in out.items()}, "info": info}


def summarise(out: dict[str, Any]) -> dict[str, Any]:
    t, i = out["timings"], out["info"]
    rows = [[name, fmt_s(t[name]["min"]), fmt_s(t[name]["median"]), fmt_s(max(t[name]["times"]))]
            for name in ("add-participants", "suggest", "suggest+apply")]
    return {
        "tables": [{"title": f"{i['regions']} kab/kota, {PANELS} panels of {PER_PANEL} assessors (PostgreSQL)",
                    "header": ["leg", "min", "median", "max"], "rows": rows}],
        "notes": [f"File {i['file_kb']:.0f} KB; {i['participants']} participants added per round; "
                  f"{i['assigned']} assigned, {i['unplaced']} not placed; load per panel "
                  f"{i['load_min']}–{i['load_max']} regions."],
        "targets": [
            {"what": "add 514 participants from a file (max of rounds)", "value": max(t["add-participants"]["times"]),
             "target": f"< {TARGET_S:.0f} s", "ok": max(t["add-participants"]["times"]) < TARGET_S},
            {"what": "suggest and save assignments, 514 regions over 20 panels (max of rounds)",
             "value": max(t["suggest+apply"]["times"]), "target": f"< {TARGET_S:.0f} s",
             "ok": max(t["suggest+apply"]["times"]) < TARGET_S},
        ],
    }


def main() -> None:
    bench_main(run, summarise)


if __name__ == "__main__":
    main()
