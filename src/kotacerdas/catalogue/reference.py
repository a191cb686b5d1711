"""Pillars and sub-dimensions as reference data, read from ``data/pillars.toml``."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

PILLARS_FILE = Path(__file__).resolve().parent / "data" / "pillars.toml"


def read_pillars(path: Path = PILLARS_FILE) -> list[dict[str, Any]]:
    with path.open("rb") as fh:
        return list(tomllib.load(fh)["pillars"])


def sync_pillars(pillar_model: Any, subdimension_model: Any, path: Path = PILLARS_FILE) -> int:
    """Create or update pillars and sub-dimensions; returns how many rows changed. Works with
    historical models so a data migration can call it."""
    changed = 0
    for order, p in enumerate(read_pillars(path), start=1):
        obj, created = pillar_model.objects.get_or_create(code=p["code"], defaults={"name": p["name"], "order": order})
        if not created and (obj.name, obj.order) != (p["name"], order):
            obj.name, obj.order = p["name"], order
            obj.save()
            changed += 1
        changed += int(created)
        for sorder, s in enumerate(p["subdimensions"], start=1):
            values = {"pillar_id": p["code"], "name": s["name"], "name_en": s["name_en"], "order": sorder}
            sobj, screated = subdimension_model.objects.get_or_create(code=s["code"], defaults=values)
            if not screated and any(getattr(sobj, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(sobj, k, v)
                sobj.save()
                changed += 1
            changed += int(screated)
    return changed
