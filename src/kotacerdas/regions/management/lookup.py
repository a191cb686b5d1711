"""A region named on a `kotacerdas` command line (a Kemendagri code), or the command's data error."""

from __future__ import annotations

from kotacerdas.core.commandline import data_error
from kotacerdas.regions.models import Region


def find_region(code: str) -> Region:
    found = Region.objects.filter(code=code).first()
    if found is None:
        raise data_error(f"Kode wilayah {code!r} tidak dikenal / unknown region code")
    return found
