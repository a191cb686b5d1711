"""Which predicate may be published for an index: the one rule every reader of a result uses.

A pack's predicate bands carry a ``bands_status``.  Only bands the ministry itself published
(``"official"``) may put a word such as "Sangat Baik" next to an index.  Bands that are provisional
or reconstructed are a guess: a region called "Sangat Baik" under them may rank 22nd nationally
and be nothing of the kind.  So under such a pack no predicate is published at all -- not on a web
page, a report, a spreadsheet, the API or the command line -- and the index stands on its own.

Every reader asks ``published_predicate(pack, index)``; nothing reads ``Pack.bands`` to label a
result.  ``predicate_status`` says why a predicate is present or absent:

* ``"official"`` -- the label comes from the pack's official bands;
* ``"provisional"`` / ``"reconstructed"`` -- the pack's bands are not official: no label;
* ``"none"`` -- nothing to label (no index, no bands, or the pack version is unknown).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .packs import Pack

OFFICIAL = "official"
NONE = "none"


@dataclass(frozen=True)
class PublishedPredicate:
    label: str | None
    label_en: str | None
    status: str  # "official" | "provisional" | "reconstructed" | "none"

    @property
    def withheld(self) -> bool:
        """True when the pack has bands but they are not official, so the label is withheld."""
        return self.status not in (OFFICIAL, NONE)

    def text(self, language: str = "id") -> str:
        """The label in ``language`` ("" when none is published)."""
        if self.label is None:
            return ""
        return (self.label_en or self.label) if language == "en" else self.label

    def to_dict(self) -> dict[str, Any] | None:
        return None if self.label is None else {"label": self.label, "label_en": self.label_en}


def bands_official(pack: Pack | None) -> bool:
    return pack is not None and bool(pack.bands) and pack.bands_status == OFFICIAL


def predicate_status(pack: Pack | None) -> str:
    """The status of a pack's predicate bands as readers report it."""
    if pack is None or not pack.bands:
        return NONE
    return pack.bands_status


def published_predicate(pack: Pack | None, index: Decimal | None) -> PublishedPredicate:
    """The predicate that may be shown for ``index`` (the reported, rounded index) under ``pack``."""
    if index is None or pack is None:
        return PublishedPredicate(None, None, NONE)
    if not bands_official(pack):
        return PublishedPredicate(None, None, predicate_status(pack))
    band = pack.band_for(index)
    if band is None:
        return PublishedPredicate(None, None, NONE)
    return PublishedPredicate(band.label, band.label_en, OFFICIAL)
