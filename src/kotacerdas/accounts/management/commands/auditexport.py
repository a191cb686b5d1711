from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotacerdas.accounts.models import AuditEvent
from kotacerdas.lib import cells

COLUMNS = ["id", "at", "actor", "action", "object_type", "object_id", "region_code", "from_state", "to_state",
           "reason", "data"]


class Command(BaseCommand):
    help = ("Ekspor jejak audit (CSV, tambah-saja) / Export the append-only audit trail as CSV. "
            "Kode keluar / exit codes: 0 ok, 2 usage.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", default="-", help="berkas CSV, '-' = layar / CSV file, '-' = stdout")
        parser.add_argument("--since", help="sejak tanggal YYYY-MM-DD / from date")
        parser.add_argument("--region", help="kode wilayah, mis. 16.07 / region code")
        parser.add_argument("--action", help="awalan tindakan, mis. evaluations. / action prefix")

    def handle(self, *args: Any, **opts: Any) -> None:
        qs = AuditEvent.objects.select_related("actor").order_by("at", "id")
        if opts["since"]:
            try:
                qs = qs.filter(at__date__gte=dt.date.fromisoformat(opts["since"]))
            except ValueError:
                raise CommandError(f"--since harus YYYY-MM-DD, bukan {opts['since']!r}", returncode=2) from None
        if opts["region"]:
            qs = qs.filter(region_code=opts["region"])
        if opts["action"]:
            qs = qs.filter(action__startswith=opts["action"])
        out = sys.stdout if opts["output"] == "-" else open(opts["output"], "w", newline="", encoding="utf-8")
        try:
            writer = csv.writer(out)
            writer.writerow(cells.row(COLUMNS))
            n = 0
            for e in qs.iterator(chunk_size=2000):
                writer.writerow(cells.row([e.pk, e.at.isoformat(), e.actor.username if e.actor else "", e.action,
                                 e.object_type, e.object_id, e.region_code, e.from_state, e.to_state, e.reason,
                                 json.dumps(e.data, ensure_ascii=False, sort_keys=True)]))
                n += 1
        finally:
            if out is not sys.stdout:
                out.close()
        if opts["output"] != "-":
            self.stdout.write(f"{n} peristiwa audit diekspor ke {opts['output']}")
