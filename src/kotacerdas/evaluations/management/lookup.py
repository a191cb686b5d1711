"""A cycle named on a `kotacerdas` command line (YEAR [--pack CODE]), or the command's data/usage error."""

from __future__ import annotations

from kotacerdas.core.commandline import data_error, usage_error
from kotacerdas.evaluations.models import Cycle


def find_cycle(year: int, pack: str | None = None) -> Cycle:
    qs = Cycle.objects.filter(year=year)
    if pack:
        qs = qs.filter(pack_code=pack)
    found = list(qs[:2])
    if not found:
        raise data_error(f"Tidak ada siklus evaluasi tahun {year} / no evaluation cycle for {year}")
    if len(found) > 1:
        # A year may hold an IID or SPBE cycle beside the Smart City one; a bare year names the Smart City one.
        smart_city = [c for c in qs if c.pack_code.startswith("kominfo-")]
        if len(smart_city) == 1:
            return smart_city[0]
        raise usage_error(f"Ada lebih dari satu siklus tahun {year}; pilih dengan --pack / choose with --pack")
    return found[0]
