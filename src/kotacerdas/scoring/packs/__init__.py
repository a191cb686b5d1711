"""Rubric packs: versioned, validated rubric data (TOML files shipped in this package's directory).

Every rubric detail of the Smart City evaluation is reconstructed from public quotes, so it must
be data an administrator can replace without touching code.  A pack is validated as a whole and
refused as a whole: a half-loaded rubric would silently change published scores.

Weight convention
-----------------
Weights are percentages.  With ``weight_basis = "percent_of_parent"`` (the default) the weights of
the children of a ``weighted_mean`` node sum to 100.  With ``weight_basis = "percent_of_index"``
every weight is the node's share of the final index, so children sum to their parent's weight and
the dimensions sum to 100 -- this is how PermenPANRB 59/2020 publishes SPBE weights (domain 25 %,
aspects 10/10/5 %, indicators 2.5 % each), and it lets that table be copied verbatim.  The
arithmetic is the same for both: a weighted mean is ``sum(w*x) / sum(w)``.  Weights are checked
only under ``weighted_mean`` parents; ``mean``/``max``/``min`` children need none.

Missing-answer policies: ``zero`` counts an unanswered indicator as the scale minimum (0 on the
Kominfo 0-4 scale; 1 on the SPBE 1-5 scale, where 0 is not a level), ``renormalise`` leaves it out
and renormalises the weights of its answered siblings, ``refuse`` makes scoring fail.  Whatever
the policy, the engine lists every unanswered indicator in ``ScoreResult.missing``.

Predicate bands are ``[min, max)``, the last one ``[min, max]``; together they must cover the
scale without gaps or overlaps.

Validity years
--------------
``valid_from`` / ``valid_to`` (optional integers, inclusive) give the evaluation years a method
applies to: SPBE under PermenPANRB 59/2020 is not the Indeks Pemerintah Digital that replaces it.
Opening a cycle for a year outside them needs an administrator's recorded reason.  They are policy
about *when* to use a pack, not part of *how* it scores, so they are left out of the digest: adding
or correcting them does not make results already computed with the pack look as if they had been
computed with another one.

Translations
------------
Names carry an optional ``name_en``; an indicator may carry a ``[….levels_en]`` table beside its
``levels`` with English descriptors for any subset of the same levels (each a non-empty string; a
level that has no Indonesian descriptor is refused).  Readers who chose English see the translation
where there is one and the Indonesian text otherwise (``Node.display_name`` / ``Node.level_text``).
``levels_en`` is left out of the digest at any depth (``model._UNDIGESTED_NESTED``): adding or
correcting a translation does not change the method, so results keep their digest.  (``name_en`` was
part of the digest before this rule and stays in it, so digests already stored do not change.)

Modules
-------
``model`` (the dataclasses, errors, digest), ``dump`` (pack back to data/TOML), ``locate`` (TOML line of a
problem), ``checks`` / ``tree`` / ``validate`` (the validator, reporting every problem in one pass) and
``load`` (files, cache, newest version).  Import from ``kotacerdas.scoring.packs``; the names below are
the public interface.
"""

from .checks import NODE_SCALAR_KEYS, PACK_SCALAR_KEYS
from .dump import dump_pack, pack_to_raw
from .load import PACKS_DIR, available_packs, get_pack, load_pack
from .locate import Locator, NullLocator, TomlLocator, Where
from .model import (
    AGGREGATIONS,
    BAND_STATUSES,
    DIVIDE_BY,
    INDEX_AGGREGATIONS,
    KINDS,
    POLICIES,
    ROUNDING_MODES,
    RULES,
    STATUSES,
    WEIGHT_BASES,
    YEAR_MAX,
    YEAR_MIN,
    Band,
    Category,
    CountRule,
    LikelihoodLevel,
    Node,
    Pack,
    PackError,
    PackIssue,
    PackNotFound,
    Pillar,
    Repeat,
    SubDimension,
    SurveyItem,
    node_bounds,
)
from .validate import build_pack

__all__ = [
    "AGGREGATIONS", "BAND_STATUSES", "DIVIDE_BY", "INDEX_AGGREGATIONS", "KINDS", "NODE_SCALAR_KEYS", "PACKS_DIR",
    "PACK_SCALAR_KEYS", "POLICIES", "ROUNDING_MODES", "RULES", "STATUSES", "WEIGHT_BASES", "YEAR_MAX", "YEAR_MIN",
    "Band", "Category", "CountRule", "LikelihoodLevel", "Locator", "Node", "NullLocator", "Pack", "PackError",
    "PackIssue", "PackNotFound", "Pillar", "Repeat", "SubDimension", "SurveyItem", "TomlLocator", "Where",
    "available_packs", "build_pack", "dump_pack", "get_pack", "load_pack", "node_bounds", "pack_to_raw",
]
