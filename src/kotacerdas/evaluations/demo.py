"""Demo history and the 2024 cycle for Banyuasin, plus synthetic peers so ranking and maps have data.

Banyuasin's published indices are the real ones (2.79 in 2021, 2.87 in 2023 with Quick Win 2.7):
provenance ``published_source``; the dimension split behind them is made up. Every other region's
participation and result is ``synthetic`` (shown as "Kota Bandung (sintetis)"); Banyuasin's 2024
self-assessment is ``demo``. Everything is flagged ``is_demo`` and lives in demo cycles, which
`kotacerdas demo --remove` archives.
Idempotent: cycles, results and submissions are looked up by natural key before anything is written.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kotacerdas.accounts.actions import record_event
from kotacerdas.catalogue.models import Programme
from kotacerdas.core.provenance import Provenance
from kotacerdas.regions.models import Region
from kotacerdas.scoring import engine
from kotacerdas.scoring.packs import Pack

from . import actions, queries, ranking
from .choices import Stage, SubmissionStatus
from .models import Answer, Cycle, Panel, Participation, Result, Submission

# The published history (2021, 2023) was computed with 2021.1 and stays so; the open 2024 cycle uses 2021.2
# (the nine Quick Win indicators named in the field, without register_risiko).
PACK = ("kominfo-2021", "2021.1")
CURRENT_PACK = ("kominfo-2021", "2021.2")
BANYUASIN = "16.07"
HISTORY: dict[int, dict[str, str]] = {
    2021: {"baseline": "2.8", "output": "2.9", "outcome": "2.77", "impact": "2.7", "quick_win": "2.8"},
    2023: {"baseline": "3.0", "output": "3.0", "outcome": "2.9", "impact": "2.8", "quick_win": "2.7"},
}
PEERS = {2021: 180, 2023: 240, 2024: 190}


def _pdf(text: str) -> bytes:
    """A small but valid one-page PDF, so demo evidence passes the content check like a real upload."""
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("latin-1", "replace")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _levels(pack: Pack, rng: random.Random, maturity: float) -> dict[str, int]:
    return {n.code: max(pack.scale_min, min(pack.scale_max, round(rng.gauss(maturity, 0.7))))
            for n in pack.indicators()}


def _peers(rng: random.Random, n: int) -> list[str]:
    codes = list(Region.objects.filter(level="kabkota").exclude(code=BANYUASIN).order_by("code")
                 .values_list("code", flat=True))
    return sorted(rng.sample(codes, n))


def _cycle(admin: Any, year: int, stage: str, pack: tuple[str, str] = PACK, **dates: Any) -> tuple[Cycle, bool]:
    cycle = Cycle.objects.filter(year=year, pack_code=pack[0]).first()
    if cycle:
        return cycle, False
    cycle = actions.do_open_cycle(admin, year=year, pack_code=pack[0], pack_version=pack[1], stage=stage,
                                  is_demo=True, **dates)
    return cycle, True


def _history(admin: Any, out: IO[Any]) -> None:
    pack = queries.pack_for(*PACK)
    previous: dict[str, Decimal] = {}
    for year in (2021, 2023):
        cycle, created = _cycle(admin, year, Stage.PUBLISHED)
        rng = random.Random(year)
        if not created:
            previous = {r.region_id: Decimal(r.index) for r in Result.objects.filter(cycle=cycle)}
            continue
        now = timezone.make_aware(dt.datetime(year, 12, 15, 10, 0))
        peers = _peers(rng, PEERS[year])
        for code in [BANYUASIN, *peers]:
            Participation.objects.get_or_create(cycle=cycle, region_id=code, defaults={
                "region_class": "B" if rng.random() < 0.6 else "A",
                "provenance": Provenance.DEMO if code == BANYUASIN else Provenance.SYNTHETIC})
            if code == BANYUASIN:
                levels = _levels(pack, random.Random(f"bya{year}"), 2.8)
                given = {k: Decimal(v) for k, v in HISTORY[year].items()}
                dims = {d.code for d in pack.dimensions}
                answers = {k: v for k, v in levels.items() if k.split(".")[0] not in dims or k not in given}
                outcome = engine.score(pack, answers=answers, given=given, previous=previous.get(code))
                provenance = Provenance.PUBLISHED_SOURCE
            else:
                outcome = engine.score(pack, answers=_levels(pack, rng, rng.uniform(1.3, 3.5)),
                                       previous=previous.get(code))
                provenance = Provenance.SYNTHETIC
            actions.store_result(admin, cycle, code, outcome, pack, previous=previous.get(code), is_demo=True,
                                 provenance=provenance)
        Result.objects.filter(cycle=cycle).update(is_published=True, frozen_at=now)
        ranking.rank_cycle(cycle)
        Cycle.objects.filter(pk=cycle.pk).update(published_at=now)
        previous = {r.region_id: Decimal(r.index) for r in Result.objects.filter(cycle=cycle)}
        bya = Result.objects.get(cycle=cycle, region_id=BANYUASIN)
        out.write(f"Demo {year}: {len(peers) + 1} hasil diterbitkan; Banyuasin {bya.index} peringkat {bya.rank}\n")


BANYUASIN_2024 = {
    # indicator -> (level, justification); a realistic self-assessment in progress (some left open)
    "baseline.peningkatan_indeks": (3, "Indeks naik dari 2,79 (2021) ke 2,87 (2023)."),
    "baseline.realisasi_masterplan": (3, "27 dari 32 program masterplan berjalan (84%)."),
    "baseline.realisasi_quick_win": (3, "Enam Quick Win 2023 terealisasi, satu per pilar."),
    "output.kebijakan.masterplan": (4, "Perbup Masterplan Smart City 2019–2028 dan revisi 2023."),
    "output.kebijakan.sk_kelembagaan": (3, "SK Bupati Dewan Smart City dan Tim Pelaksana 2024."),
    "output.kelembagaan.dewan": (3, "Dewan Smart City diketuai Sekda, rapat triwulanan."),
    "output.kelembagaan.tim_pelaksana": (3, "Tim Pelaksana di Diskominfo dan Statistik."),
    "output.kelembagaan.forum": (2, "Forum Smart City baru dibentuk, belum rutin."),
    "output.anggaran.apbd": (3, "Alokasi APBD 2024 untuk program Smart City di 14 OPD."),
    "outcome.program.governance": (4, "45 inovasi Smart Governance, lebih dari 75% berjalan."),
    "outcome.program.branding": (2, "5 inovasi Smart Branding."),
    "outcome.program.economy": (3, "11 inovasi Smart Economy."),
    "outcome.program.living": (3, "6 inovasi Smart Living."),
    "outcome.program.society": (4, "23 inovasi Smart Society."),
    "outcome.rencana_aksi.sdm": (4, "Capaian rencana aksi SDM 89,13%."),
    "outcome.rencana_aksi.infrastruktur": (4, "Capaian infrastruktur 86,11%."),
    "outcome.rencana_aksi.aplikasi": (4, "Capaian aplikasi pendukung 88,68%."),
    "outcome.rencana_aksi.literasi": (4, "Capaian literasi smart city 85,86%."),
    "impact.survei.layanan_publik": (3, "Rata-rata survei 3,9 (n=52)."),
    "impact.survei.tata_kelola_birokrasi": (3, "Rata-rata survei 3,7."),
    "impact.survei.kebijakan_publik": (3, "Rata-rata survei 3,6."),
    "impact.survei.ekosistem_pariwisata": (2, "Rata-rata survei 3,3."),
    "impact.survei.kesehatan": (3, "Rata-rata survei 3,8."),
    "impact.data.kinerja_layanan": (3, "Dokumen kependudukan terbit naik 18% (JAM KUNCI)."),
    "quick_win.perumusan_inovasi": (3, "JAM KUNCI dirumuskan dari analisis antrean Dukcapil."),
    "quick_win.daya_tarik_inovasi": (3, "Layanan jemput bola di 21 kecamatan."),
    "quick_win.manfaat_inovasi": (3, "Waktu layanan KK turun dari 7 hari ke 1 hari."),
    "quick_win.keunikan_inovasi": (2, "Replikasi model jemput bola daerah lain."),
    "quick_win.peluang_kemitraan": (2, "Kerja sama dengan bank daerah untuk kiosk."),
    "quick_win.potensi_pengembangan": (3, "Integrasi dengan layanan OSS dan SIMPADA."),
    "quick_win.manajemen_risiko": (3, "Register risiko Quick Win lengkap dengan mitigasi."),
}
WITH_FILE = ["output.kebijakan.masterplan", "output.kebijakan.sk_kelembagaan", "output.anggaran.apbd"]


def _cycle_2024(admin: Any, out: IO[Any]) -> None:
    pack = queries.pack_for(*CURRENT_PACK)
    now = timezone.now()
    cycle, created = _cycle(
        admin, 2024, Stage.SELF_ASSESSMENT, CURRENT_PACK, self_assessment_deadline=now + dt.timedelta(days=10),
        assessment_starts=now - dt.timedelta(days=7), assessment_ends=now + dt.timedelta(days=45),
        opens_on=dt.date(2024, 5, 2), tahap_1_on=dt.date(2024, 6, 20), tahap_2_on=dt.date(2024, 10, 28))
    if not created:
        return
    rng = random.Random(2024)
    peers = _peers(rng, PEERS[2024])
    actions.do_add_participant(admin, cycle, BANYUASIN, "B", cohort="2017")
    for code in peers:
        actions.do_add_participant(admin, cycle, code, "B" if rng.random() < 0.6 else "A")
    Participation.objects.filter(cycle=cycle).update(provenance=Provenance.SYNTHETIC)
    Participation.objects.filter(cycle=cycle, region_id=BANYUASIN).update(provenance=Provenance.DEMO)
    actions.do_advance_stage(admin, cycle, Stage.TAHAP_1, "Forum Tahap I, Denpasar")
    actions.do_advance_stage(admin, cycle, Stage.TAHAP_2, "Tahap II lewat Zoom")
    User = get_user_model()
    assessors = [User.objects.get(username=f"asesor{i}@kotacerdas.test") for i in range(1, 5)]
    panel = Panel.objects.filter(cycle=cycle, name="Panel B-1").first() or actions.do_form_panel(
        admin, cycle, name="Panel B-1", region_class="B", lead=assessors[0], members=assessors[1:])
    actions.do_assign(admin, panel, BANYUASIN)
    for code in peers[:12]:
        actions.do_assign(admin, panel, code)
    # Banyuasin: Tahap II pra-evaluasi in progress, filled by the coordinator.
    coordinator = User.objects.get(username="koordinator@banyuasin.test")
    sub = Submission.objects.get(cycle=cycle, region_id=BANYUASIN, stage=Stage.TAHAP_2)
    programmes = {p.code: p for p in Programme.objects.filter(region_id=BANYUASIN)}
    for code, (level, why) in BANYUASIN_2024.items():
        programme = programmes["jam-kunci"] if code.startswith("quick_win") else None
        actions.do_save_answer(coordinator, sub, code, level, why, programme=programme)
    for i, code in enumerate(BANYUASIN_2024):
        if code in WITH_FILE:
            actions.do_add_evidence_file(coordinator, sub, code, _pdf(f"Bukti dukung {code} - Kabupaten Banyuasin"),
                                         f"{code.replace('.', '_')}.pdf", description="Dokumen (demo)")
        elif i % 5 != 4:
            actions.do_add_evidence_link(coordinator, sub, code,
                                         f"https://banyuasinkab.go.id/smartcity/bukti/{code}",
                                         description="Tautan bukti (demo)")
    # Peers: a realistic spread of statuses; three assessors scored the first few.
    for i, code in enumerate(peers):
        peer = Submission.objects.get(cycle=cycle, region_id=code, stage=Stage.TAHAP_2)
        if i % 4 == 3:
            continue  # still in draft
        levels = _levels(pack, random.Random(code), rng.uniform(1.5, 3.4))
        Answer.objects.bulk_create([Answer(submission=peer, indicator=k, level=v) for k, v in levels.items()])
        Submission.objects.filter(pk=peer.pk).update(status=SubmissionStatus.SUBMITTED, submitted_at=now)
        record_event(admin, "demo.seed_submission", peer, to_state=SubmissionStatus.SUBMITTED)
        peer.refresh_from_db()
        if code in peers[:4]:
            actions.do_start_assessment(admin, peer)
            for assessor in assessors[:3]:
                for k, v in levels.items():
                    actions.do_score(assessor, peer, k, max(pack.scale_min, min(pack.scale_max,
                                                                                   v + rng.choice([-1, 0, 0, 1]))))
                actions.do_complete_assessment(assessor, peer)
    out.write(f"Demo 2024: Tahap II, {len(peers) + 1} peserta; Banyuasin "
              f"{queries.completeness(sub).label}\n")


IID_PACK = ("iid-2023", "2023.1")
IID_INNOVATIONS = ("jam-kunci", "antrean-puskesmas")


def _iid_2023(admin: Any, out: IO[Any]) -> None:
    """An IID 2023 self-assessment cycle with Banyuasin taking part and two catalogue programmes flagged as
    innovations; the answers are left to the coordinator (nothing is scored in advance)."""
    if Cycle.objects.filter(year=2023, pack_code=IID_PACK[0]).exists():
        return
    cycle = actions.do_open_cycle(admin, year=2023, pack_code=IID_PACK[0], pack_version=IID_PACK[1],
                                  name="Indeks Inovasi Daerah 2023", stage=Stage.SELF_ASSESSMENT, is_demo=True)
    actions.do_add_participant(admin, cycle, BANYUASIN, "B")
    Programme.objects.filter(region_id=BANYUASIN, code__in=IID_INNOVATIONS).update(is_innovation=True)
    out.write(f"IID 2023: Banyuasin, {len(IID_INNOVATIONS)} inovasi ditandai\n")


@transaction.atomic
def load_demo(out: IO[Any]) -> None:
    admin = get_user_model().objects.get(username="admin@kotacerdas.test")
    _history(admin, out)
    _cycle_2024(admin, out)
    _iid_2023(admin, out)
