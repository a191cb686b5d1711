"""Demo impact survey: Banyuasin 2024, one catalogue programme per sub-dimension, a few hundred synthetic
responses spread unevenly over the kecamatan, deliberately short in
Smart Branding and Smart Society and with one sub-dimension answered from a single kecamatan, so the
warnings show. The window is open around the day the demo is loaded so the public form works.
Synthetic, flagged ``is_demo``. Idempotent: an existing survey for the region and cycle is left alone."""

from __future__ import annotations

import datetime as dt
import random
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kotacerdas.accounts.actions import record_event
from kotacerdas.actionplans.queries import plan_cycle
from kotacerdas.catalogue.models import Programme
from kotacerdas.regions.models import Region

from . import actions, queries
from .choices import AgeBand, Channel, Gender
from .models import Response, ResponseAnswer, Survey

BANYUASIN = "16.07"
YEAR = 2024
# sub-dimension -> (programme code, respondents, latent mean on the Likert scale)
PLAN: dict[str, tuple[str, int, float]] = {
    "governance.layanan_publik": ("jam-kunci", 24, 3.95),
    "governance.tata_kelola_birokrasi": ("simpada", 19, 3.7),
    "governance.kebijakan_publik": ("ppid-online", 18, 3.55),
    "branding.ekosistem_pariwisata": ("wisata-sembilang", 41, 3.3),
    "branding.ekosistem_bisnis": ("etalase-umkm", 52, 3.6),
    "branding.wajah_kota": ("taman-kota", 36, 3.45),
    "economy.ekosistem_industri": ("si-tani", 17, 3.5),
    "economy.kesejahteraan_rakyat": ("dtks-online", 20, 3.4),
    "economy.ekosistem_transaksi_keuangan": ("pasar-digital", 16, 3.75),
    "living.harmonisasi_tata_ruang": ("simtaru", 15, 3.2),
    "living.kesehatan": ("antrean-puskesmas", 25, 3.85),
    "living.moda_transportasi": ("angkutan-sungai", 14, 3.35),
    "society.interaksi_masyarakat": ("desa-digital", 16, 3.6),
    "society.ekosistem_belajar": ("sekolah-digital", 17, 3.9),
    "society.sistem_keamanan": ("early-warning-banjir", 9, 3.5),
    "environment.proteksi_lingkungan": ("mangrove", 18, 3.65),
    "environment.tata_kelola_sampah_limbah": ("bank-sampah", 17, 3.3),
    "environment.tata_kelola_energi": ("pju-surya", 16, 3.7),
}
# This sub-dimension's beneficiaries were all surveyed at one site: the progress page warns about it.
ONE_KECAMATAN = "environment.tata_kelola_energi"


def _likert(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.85))))


@transaction.atomic
def load_demo(out: IO[Any]) -> None:
    cycle = plan_cycle(YEAR)
    region = Region.objects.filter(code=BANYUASIN).first()
    if cycle is None or region is None or Survey.objects.filter(region=region, cycle=cycle).exists():
        return
    coordinator = get_user_model().objects.get(username="koordinator@banyuasin.test")
    now = timezone.now()
    survey = actions.do_create_survey(coordinator, region, cycle, is_demo=True,
                                      opens_at=now - dt.timedelta(days=30), closes_at=now + dt.timedelta(days=60))
    programmes = {p.code: p for p in Programme.objects.filter(region=region)}
    for sub, (code, _n, _m) in PLAN.items():
        if code in programmes:
            actions.do_choose_programme(coordinator, survey, sub, programmes[code])
    survey = actions.do_open_survey(coordinator, survey)
    rng = random.Random(20240917)
    codes = list(queries.kecamatan_of(BANYUASIN).values_list("code", flat=True))
    # Uneven reach, as in real fieldwork (population data is incomplete, so the weights are synthetic).
    weights = [rng.uniform(0.2, 2.0) for _ in codes]
    items = queries.items_by_subdimension(queries.survey_pack(survey))
    services = {s.subdimension: s for s in queries.active_services(survey)}
    responses, answers = [], []
    for sub, (_code, n, mean) in PLAN.items():
        service = services.get(sub)
        if service is None:
            continue
        site = rng.choices(codes, weights)[0]
        for _ in range(n):
            responses.append(Response(
                survey=survey, service=service, is_demo=True,
                kecamatan_id=site if sub == ONE_KECAMATAN else rng.choices(codes, weights)[0],
                age_band=rng.choices(AgeBand.values, [18, 27, 24, 18, 13])[0],
                gender=rng.choices(Gender.values, [49, 49, 2])[0],
                channel=Channel.ONLINE if rng.random() < 0.8 else Channel.PAPER,
                submitted_at=now - dt.timedelta(days=rng.uniform(0.5, 29.5))))
            answers.append([(item.code, _likert(rng, mean)) for item in items.get(sub, [])])
    created = Response.objects.bulk_create(responses)
    ResponseAnswer.objects.bulk_create([ResponseAnswer(response=r, item=code, value=v)
                                        for r, pairs in zip(created, answers, strict=True) for code, v in pairs])
    record_event(coordinator, "demo.seed_survey_responses", survey, data={"responses": len(created)})
    out.write(f"Demo survei dampak {YEAR}: {len(created)} tanggapan sintetis di {len(set(r.kecamatan_id for r in created))} "
              f"kecamatan\n")
