"""Cycles and who takes part: opening a cycle, adding participants (one or in bulk, with a default
kelas), moving the cycle's stage, forming panels, assigning regions to them (by hand or by suggestion)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts import roles
from kotacerdas.accounts.actions import record_event, record_events
from kotacerdas.core.errors import InvalidInput, InvalidTransition, NotAllowed
from kotacerdas.regions.models import Region

from .. import queries
from ..choices import STAGE_ORDER, RegionClass, Stage
from ..models import Answer, Assignment, Cycle, Evidence, Panel, Participation, Submission
from ._common import S, _admin_only, _entry_stage, ensure_submission

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def do_open_cycle(actor: User, *, year: int, pack_code: str, pack_version: str, name: str = "",
                  participants: Mapping[str, str] | None = None, stage: str = Stage.SELF_ASSESSMENT,
                  self_assessment_deadline: dt.datetime | None = None, is_demo: bool = False,
                  validity_override_reason: str = "", **dates: Any) -> Cycle:
    """Open an evaluation cycle scored with one pack version.  A pack applies to the evaluation years its
    method was in force (``valid_from``..``valid_to``); outside them the admin must give a reason, which the
    audit event records with the pack's years."""
    if not roles.is_national_admin(actor):
        raise NotAllowed(_("Hanya admin nasional yang membuka siklus evaluasi"))
    try:
        pack = queries.pack_for(pack_code, pack_version)
    except LookupError as exc:
        raise InvalidInput(_("Paket rubrik %(pack)s versi %(version)s tidak ada")
                           % {"pack": pack_code, "version": pack_version}) from exc
    data: dict[str, Any] = {"pack": f"{pack_code}@{pack_version}", "digest": pack.digest}
    reason = validity_override_reason.strip()
    if not pack.valid_for(year):
        if not reason:
            raise InvalidInput(
                _("Paket rubrik %(pack)s berlaku untuk evaluasi tahun %(years)s, bukan %(year)s; pilih paket lain "
                  "atau beri alasan untuk tetap memakainya")
                % {"pack": f"{pack_code}@{pack_version}", "years": pack.validity_text, "year": year},
                field="validity_override_reason", valid_years=pack.validity_text)
        data["validity_override"] = {"year": year, "valid_from": pack.valid_from, "valid_to": pack.valid_to,
                                     "reason": reason}
    else:
        reason = ""  # nothing to override: a reason given anyway is not recorded as an override
    if Cycle.objects.filter(year=year, pack_code=pack_code).exists():
        raise InvalidInput(_("Siklus %(year)s dengan paket %(pack)s sudah ada") % {"year": year, "pack": pack_code})
    cycle = Cycle.objects.create(
        year=year, pack_code=pack_code, pack_version=pack_version, pack_digest=pack.digest, stage=stage,
        name=name or f"Evaluasi Smart City {year}", self_assessment_deadline=self_assessment_deadline,
        is_demo=is_demo, **dates)
    record_event(actor, "evaluations.open_cycle", cycle, to_state=stage, reason=reason, data=data)
    for code, region_class in (participants or {}).items():
        do_add_participant(actor, cycle, code, region_class)
    return cycle


@transaction.atomic
def do_add_participant(actor: User, cycle: Cycle, region_code: str, region_class: str = "B",
                       cohort: str = "") -> Participation:
    if not roles.is_national_admin(actor):
        raise NotAllowed(_("Hanya admin nasional yang menetapkan peserta"))
    if not Region.objects.filter(code=region_code, level="kabkota").exists():
        raise InvalidInput(_("Kode kabupaten/kota %(code)r tidak dikenal") % {"code": region_code}, field="region")
    part, created = Participation.objects.get_or_create(
        cycle=cycle, region_id=region_code, defaults={"region_class": region_class, "cohort": cohort})
    if created:
        record_event(actor, "evaluations.add_participant", part, region_code=region_code,
                     data={"class": region_class})
        ensure_submission(actor, cycle, region_code, _entry_stage(cycle))
    return part


@transaction.atomic
def do_advance_stage(actor: User, cycle: Cycle, to_stage: str, reason: str = "") -> Cycle:
    """Move the cycle to its next stage. Entering Tahap I/II opens a fresh submission per participant,
    carrying the previous stage's answers and evidence so nothing is typed twice."""
    if not roles.is_national_admin(actor):
        raise NotAllowed(_("Hanya admin nasional yang memindahkan tahap"))
    if STAGE_ORDER.index(to_stage) != STAGE_ORDER.index(cycle.stage) + 1:
        raise InvalidTransition(_("Tahap %(stage)s tidak bisa langsung ke %(to)s")
                                % {"stage": cycle.get_stage_display(), "to": Stage(to_stage).label})
    old = cycle.stage
    Cycle.objects.filter(pk=cycle.pk).update(stage=to_stage)
    cycle.refresh_from_db()
    record_event(actor, "evaluations.advance_stage", cycle, from_state=old, to_state=to_stage, reason=reason)
    if to_stage in (Stage.TAHAP_1, Stage.TAHAP_2):
        for part in cycle.participants.all():
            prev = Submission.objects.filter(cycle=cycle, region_id=part.region_id, stage=old).first()
            new = ensure_submission(actor, cycle, part.region_id, to_stage)
            if prev is not None and not new.answers.exists():
                Answer.objects.bulk_create([
                    Answer(submission=new, indicator=a.indicator, level=a.level, given_score=a.given_score,
                           justification=a.justification, programme_id=a.programme_id, updated_by=a.updated_by)
                    for a in prev.answers.filter(archived_at__isnull=True)])
                Evidence.objects.bulk_create([
                    Evidence(submission=new, indicator=e.indicator, kind=e.kind, file=e.file.name,
                             original_name=e.original_name, content_type=e.content_type, extension=e.extension,
                             size=e.size, sha256=e.sha256, url=e.url, duration_seconds=e.duration_seconds,
                             description=e.description, programme_id=e.programme_id, uploaded_by=e.uploaded_by,
                             uploaded_at=e.uploaded_at)
                    for e in prev.evidence.filter(archived_at__isnull=True)])
    return cycle


@transaction.atomic
def do_form_panel(actor: User, cycle: Cycle, *, name: str, region_class: str, lead: User,
                  members: list[User]) -> Panel:
    if not roles.is_national_admin(actor):
        raise NotAllowed(_("Hanya admin nasional yang membentuk panel"))
    everyone = {m.pk: m for m in [lead, *members]}
    if not 3 <= len(everyone) <= 5:
        raise InvalidInput(_("Panel terdiri dari 4–5 asesor (minimal 3 untuk uji coba)"), field="members")
    not_assessors = [u.username for u in everyone.values() if not roles.has_role(u, "assessor")]
    if not_assessors:
        raise InvalidInput(_("Bukan asesor: %(names)s") % {"names": ", ".join(not_assessors)}, field="members")
    from kotacerdas.accounts.models import Membership

    inexperienced = sorted({m.user.username for m in Membership.objects.filter(
        user__in=list(everyone.values()), role="assessor", active=True).exclude(experience="").select_related("user")
        if region_class not in m.experience})
    if inexperienced:
        raise InvalidInput(_("Belum berpengalaman menilai Kelas %(kelas)s: %(names)s")
                           % {"kelas": region_class, "names": ", ".join(inexperienced)}, field="members")
    if Panel.objects.filter(cycle=cycle, name=name).exists():
        raise InvalidInput(_("Panel bernama %(name)s sudah ada") % {"name": name}, field="name")
    panel = Panel.objects.create(cycle=cycle, name=name, region_class=region_class, lead=lead)
    panel.members.set(list(everyone.values()))
    record_event(actor, "evaluations.form_panel", panel,
                 data={"members": sorted(u.username for u in everyone.values()), "lead": lead.username})
    return panel


@transaction.atomic
def do_assign(actor: User, panel: Panel, region_code: str) -> Assignment:
    if not roles.is_national_admin(actor):
        raise NotAllowed(_("Hanya admin nasional yang menugaskan panel"))
    province = region_code.split(".")[0]
    conflicted = [m.username for m in panel.members.all() if region_code in roles.regions_for(m)
                  or (panel.cycle.coi_same_province and province in {r.split(".")[0] for r in roles.regions_for(m)})]
    if conflicted:
        raise InvalidInput(
            _("Konflik kepentingan: %(names)s berasal dari wilayah %(region)s")
            % {"names": ", ".join(conflicted), "region": region_code}, field="region")
    if not Participation.objects.filter(cycle=panel.cycle, region_id=region_code).exists():
        raise InvalidInput(_("Wilayah %(region)s bukan peserta siklus ini") % {"region": region_code}, field="region")
    assignment, created = Assignment.objects.get_or_create(
        cycle=panel.cycle, region_id=region_code, defaults={"panel": panel})
    if not created and assignment.panel_id != panel.pk:
        raise InvalidInput(_("Wilayah %(region)s sudah ditugaskan ke panel %(panel)s")
                           % {"region": region_code, "panel": assignment.panel}, field="region")
    if created:
        record_event(actor, "evaluations.assign", assignment, region_code=region_code, data={"panel": panel.name})
    return assignment


def default_region_classes(cycle: Cycle, codes: Iterable[str]) -> dict[str, str]:
    """Kelas A when the region's last published index before this cycle reaches the cycle's threshold,
    else Kelas B (and B for every region when the cycle sets no threshold)."""
    codes = list(codes)
    if cycle.class_a_min_index is None:
        return dict.fromkeys(codes, RegionClass.B.value)
    previous = queries.previous_indices(cycle, codes)
    threshold = Decimal(cycle.class_a_min_index)
    return {c: RegionClass.A.value if c in previous and previous[c] >= threshold else RegionClass.B.value
            for c in codes}


@transaction.atomic
def do_add_participants(actor: User, cycle: Cycle, rows: Mapping[str, str | None], cohort: str = "") -> int:
    """Add many kab/kota to a cycle at once (the 514 of a national cycle in one go): every code is checked
    first and nothing is written when one is wrong; regions already taking part are left as they are.
    A region without a kelas gets the cycle's default (default_region_classes). Returns how many were added."""

    _admin_only(actor, _("Hanya admin nasional yang menetapkan peserta"))
    if cycle.stage in (Stage.FINAL, Stage.PUBLISHED):
        raise InvalidTransition(_("Peserta tidak bisa ditambah pada tahap %(stage)s")
                                % {"stage": cycle.get_stage_display()})
    codes = [c.strip() for c in rows]
    known = set(Region.objects.filter(code__in=codes, level="kabkota").values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput(_("Kode kabupaten/kota tidak dikenal: %(codes)s") % {"codes": ", ".join(unknown[:20])},
                           field="region", codes=unknown[:100])
    wrong = [c for c, k in rows.items() if k and k not in RegionClass.values]
    if wrong:
        raise InvalidInput(_("Kelas harus A atau B: %(codes)s") % {"codes": ", ".join(wrong[:20])}, field="region_class")
    existing = set(Participation.objects.filter(cycle=cycle, region_id__in=codes).values_list("region_id", flat=True))
    new = [c for c in dict.fromkeys(codes) if c not in existing]
    if not new:
        return 0
    defaults = default_region_classes(cycle, [c for c in new if not rows.get(c)])
    classes = {c: rows.get(c) or defaults[c] for c in new}
    stage = _entry_stage(cycle)
    Participation.objects.bulk_create([Participation(cycle=cycle, region_id=c, region_class=classes[c], cohort=cohort)
                                       for c in new], batch_size=1000)
    have_sub = set(Submission.objects.filter(cycle=cycle, stage=stage, region_id__in=new)
                   .values_list("region_id", flat=True))
    Submission.objects.bulk_create([Submission(cycle=cycle, region_id=c, stage=stage,
                                               deadline=cycle.self_assessment_deadline)
                                    for c in new if c not in have_sub], batch_size=1000)
    parts = dict(Participation.objects.filter(cycle=cycle, region_id__in=new).values_list("region_id", "pk"))
    subs = dict(Submission.objects.filter(cycle=cycle, stage=stage, region_id__in=new)
                .exclude(region_id__in=have_sub).values_list("region_id", "pk"))
    now = timezone.now()
    user_id = actor.pk if getattr(actor, "is_authenticated", False) else None

    def event(action: str, object_type: str, pk: Any, region: str, to: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"at": now, "actor_id": user_id, "action": action, "object_type": object_type, "object_id": str(pk),
                "region_code": region, "from_state": "", "to_state": to, "reason": "", "data": data}

    events = [event("evaluations.add_participant", "evaluations.participation", parts[c], c, "",
                    {"class": classes[c], "bulk": True}) for c in new]
    events += [event("evaluations.create_submission", "evaluations.submission", pk, c, S.DRAFT.value,
                     {"stage": stage}) for c, pk in subs.items()]
    record_events(events)
    return len(new)


@dataclass
class Suggestion:
    """A proposed assignment of unassigned participants to panels, and why some could not be placed."""

    assignments: list[tuple[str, Panel]]
    unplaced: dict[str, str]

    def load(self) -> dict[str, int]:
        from collections import Counter

        return dict(Counter(p.name for _r, p in self.assignments))


def panel_conflicts(cycle: Cycle, panels: Iterable[Panel]) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """Per panel: the regions its members belong to, and (when the cycle asks) their provinces."""
    from kotacerdas.accounts.models import Membership

    panels = list(panels)
    members: dict[int, set[int]] = {p.pk: set() for p in panels}
    for panel_id, user_id in Panel.members.through.objects.filter(panel_id__in=list(members)).values_list(
            "panel_id", "user_id"):
        members[panel_id].add(user_id)
    homes: dict[int, set[str]] = {}
    for user_id, region_id in Membership.objects.filter(
            user_id__in={u for us in members.values() for u in us}, active=True, region__isnull=False
    ).values_list("user_id", "region_id"):
        homes.setdefault(user_id, set()).add(region_id)
    regions = {pk: {r for u in us for r in homes.get(u, ())} for pk, us in members.items()}
    provinces = {pk: {r.split(".")[0] for r in rs} for pk, rs in regions.items()} if cycle.coi_same_province \
        else {pk: set() for pk in regions}
    return regions, provinces


def suggest_assignments(cycle: Cycle) -> Suggestion:
    """Place every unassigned participant on a panel of its kelas whose members have no conflict of
    interest with it (a member of the region, or of its province when the cycle asks), the least loaded
    panel first (ties by name): load stays within one region of the mean whenever conflicts allow."""
    from collections import Counter

    panels = sorted(Panel.objects.filter(cycle=cycle), key=lambda p: p.name)
    regions, provinces = panel_conflicts(cycle, panels)
    load = Counter(Assignment.objects.filter(cycle=cycle, active=True).values_list("panel_id", flat=True))
    assigned = set(Assignment.objects.filter(cycle=cycle).values_list("region_id", flat=True))
    out: list[tuple[str, Panel]] = []
    unplaced: dict[str, str] = {}
    for code, klass in Participation.objects.filter(cycle=cycle).order_by("region_id").values_list(
            "region_id", "region_class"):
        if code in assigned:
            continue
        same_class = [p for p in panels if p.region_class == klass]
        if not same_class:
            unplaced[code] = _("Tidak ada panel Kelas %(kelas)s") % {"kelas": klass}
            continue
        free = [p for p in same_class if code not in regions[p.pk] and code.split(".")[0] not in provinces[p.pk]]
        if not free:
            unplaced[code] = _("Semua panel Kelas %(kelas)s punya konflik kepentingan dengan wilayah ini") % {
                "kelas": klass}
            continue
        best = min(free, key=lambda p: (load[p.pk], p.name))
        load[best.pk] += 1
        out.append((code, best))
    return Suggestion(out, unplaced)


@transaction.atomic
def do_apply_suggestion(actor: User, cycle: Cycle) -> Suggestion:
    """Assign every participant that suggest_assignments can place, in one go (one audit event each)."""

    _admin_only(actor, _("Hanya admin nasional yang menugaskan panel"))
    suggestion = suggest_assignments(cycle)
    if not suggestion.assignments:
        return suggestion
    Assignment.objects.bulk_create([Assignment(cycle=cycle, panel=p, region_id=code)
                                    for code, p in suggestion.assignments], batch_size=1000)
    pks = dict(Assignment.objects.filter(cycle=cycle, region_id__in=[c for c, _p in suggestion.assignments])
               .values_list("region_id", "pk"))
    now = timezone.now()
    user_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    record_events([
        {"at": now, "actor_id": user_id, "action": "evaluations.assign", "object_type": "evaluations.assignment",
         "object_id": str(pks[code]), "region_code": code, "from_state": "", "to_state": "", "reason": "",
         "data": {"panel": p.name, "suggested": True}} for code, p in suggestion.assignments])
    record_event(actor, "evaluations.suggest_assignments", cycle, to_state=str(len(suggestion.assignments)),
                 data={"assigned": len(suggestion.assignments), "unplaced": len(suggestion.unplaced)})
    return suggestion
