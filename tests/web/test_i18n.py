"""Indonesian by default, English complete: every .po of the project has no empty or fuzzy msgstr, its
compiled .mo matches it, `makemessages` would add no msgid, and the English pages say English things."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from .conftest import client_for

SRC = Path(__file__).resolve().parents[2] / "src" / "kotacerdas"
PO = SRC / "locale" / "en" / "LC_MESSAGES" / "django.po"
PO_FILES = sorted(SRC.glob("**/locale/*/LC_MESSAGES/*.po"))
PO_IDS = [str(p.relative_to(SRC)) for p in PO_FILES]


def _unquote(chunk: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', chunk)
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), "".join(parts))


def entries(path: Path = PO) -> list[dict[str, Any]]:
    """msgctxt, msgid, plural, msgstr(s) and flags of every live entry (obsolete #~ ones skipped)."""
    out = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [ln for ln in block.strip().splitlines() if not ln.startswith("#~")]
        if not any(ln.startswith("msgid ") for ln in lines):
            continue
        flags = " ".join(ln for ln in lines if ln.startswith("#,"))
        body = "\n".join(ln for ln in lines if not ln.startswith("#"))
        fields = dict(re.findall(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) ((?:"(?:[^"\\]|\\.)*"\s*)+)',
                                 body, re.M))
        msgid = _unquote(fields["msgid"])
        if msgid == "":
            continue
        strs = [_unquote(v) for k, v in fields.items() if k.startswith("msgstr")]
        out.append({"context": _unquote(fields["msgctxt"]) if "msgctxt" in fields else None, "msgid": msgid,
                    "plural": _unquote(fields["msgid_plural"]) if "msgid_plural" in fields else None,
                    "msgstr": strs, "flags": flags})
    return out


def _key(entry: dict[str, object]) -> str:
    """The key gettext uses in a .mo: context EOT msgid."""
    return f"{entry['context']}\x04{entry['msgid']}" if entry["context"] else str(entry["msgid"])


def test_it_finds_every_catalogue_of_the_project() -> None:
    assert PO in PO_FILES
    assert SRC / "reports" / "locale" / "en" / "LC_MESSAGES" / "django.po" in PO_FILES
    assert len(entries(PO)) > 800


@pytest.mark.parametrize("po", PO_FILES, ids=PO_IDS)
def test_it_has_an_english_translation_for_every_message(po: Path) -> None:
    rows = entries(po)
    empty = [r["msgid"] for r in rows if not r["msgstr"] or not all(r["msgstr"])]
    fuzzy = [r["msgid"] for r in rows if "fuzzy" in str(r["flags"])]
    assert empty == [], f"untranslated msgids in {po}: {empty[:10]}"
    assert fuzzy == [], f"fuzzy msgids in {po}: {fuzzy[:10]}"


@pytest.mark.parametrize("po", PO_FILES, ids=PO_IDS)
def test_it_ships_a_compiled_catalogue_that_matches_the_po(po: Path) -> None:
    with po.with_suffix(".mo").open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    stale = []
    for r in entries(po):
        strs = list(r["msgstr"])  # type: ignore[call-overload]
        if r["plural"]:
            got = [catalogue.npgettext(str(r["context"]), str(r["msgid"]), str(r["plural"]), n) if r["context"]
                   else catalogue.ngettext(str(r["msgid"]), str(r["plural"]), n) for n in (1, 2)]
            if got != strs[:2]:
                stale.append(r["msgid"])
        elif catalogue._catalog.get(_key(r)) != strs[0]:  # type: ignore[attr-defined]
            stale.append(r["msgid"])
    assert stale == [], f"{po.with_suffix('.mo')} is older than the .po (run compilemessages): {stale[:5]}"


def test_a_msgid_shared_by_two_catalogues_has_one_translation() -> None:
    """The project catalogue (LOCALE_PATHS) wins over an app's: a different translation of the same msgid
    in reports/locale would silently never be used."""
    seen: dict[str, tuple[str, Path]] = {}
    clashes = []
    for po in PO_FILES:
        for r in entries(po):
            if r["plural"]:
                continue
            text = str(r["msgstr"][0])  # type: ignore[index]
            first = seen.setdefault(_key(r), (text, po))
            if first[0] != text:
                clashes.append((r["msgid"], first[0], text))
    assert clashes == []


def test_it_detects_an_empty_msgstr_and_reads_contexts(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: en\\n"\n\nmsgid "Beranda"\nmsgstr ""\n\n'
                  'msgid "%(n)s program"\nmsgid_plural "%(n)s program"\nmsgstr[0] "%(n)s programme"\nmsgstr[1] ""\n\n'
                  'msgctxt "status"\nmsgid "Berjalan"\nmsgstr "In progress"\n\n'
                  '#, fuzzy\nmsgid "Tahun"\nmsgstr "Years"\n',
                  encoding="utf-8")
    rows = entries(po)
    assert [r["msgid"] for r in rows if not all(r["msgstr"])] == ["Beranda", "%(n)s program"]
    assert [_key(r) for r in rows if r["context"]] == ["status\x04Berjalan"]
    assert [r["msgid"] for r in rows if "fuzzy" in str(r["flags"])] == ["Tahun"]


def _msgids(po: Path) -> set[str]:
    return {_key(r) for r in entries(po)}


@pytest.mark.skipif(not all(shutil.which(t) for t in ("xgettext", "msgmerge", "msguniq")),
                    reason="makemessages needs GNU gettext (apt-get install gettext)")
def test_makemessages_would_add_no_msgid(tmp_path: Path) -> None:
    """Run makemessages the way the .po header says, on a copy of the sources, and compare msgid sets:
    a string marked for translation but missing from a catalogue fails here, naming the string."""
    copy = tmp_path / "kotacerdas"
    shutil.copytree(SRC, copy, ignore=lambda d, names: [
        n for n in names if n in ("__pycache__", "static", "migrations") or n.endswith((".mo", ".pyc"))])
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-location", "-v0"],
                   cwd=copy, env=env, check=True, capture_output=True, timeout=300)
    for po in PO_FILES:
        regenerated = copy / po.relative_to(SRC)
        missing = sorted(_msgids(regenerated) - _msgids(po))
        assert missing == [], f"{po.relative_to(SRC)} lacks msgids makemessages finds: {missing[:10]}"


def test_makemessages_check_notices_a_new_string(tmp_path: Path) -> None:
    """The comparison above is not vacuous: a freshly marked string shows up in the regenerated catalogue."""
    if not shutil.which("xgettext"):
        pytest.skip("needs GNU gettext")
    copy = tmp_path / "kotacerdas"
    (copy / "locale" / "en" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(PO, copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    (copy / "baru.py").write_text('from django.utils.translation import gettext as _\n_("Kalimat baru sekali")\n')
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-location", "-v0"],
                   cwd=copy, env=env, check=True, capture_output=True, timeout=300)
    assert _msgids(copy / "locale" / "en" / "LC_MESSAGES" / "django.po") - _msgids(PO) == {"Kalimat baru sekali"}


def test_it_translates_the_fixed_part_of_an_import_error() -> None:
    from django.utils import translation

    from kotacerdas.monitoring.importer import MESSAGES, localised_message

    stored = {"row": 3, "column": "value", "code": "negative", "message": MESSAGES["negative"] + ": -5"}
    with translation.override("en"):
        assert localised_message(stored) == "Negative values are not allowed: -5"
        assert localised_message({"code": "other", "message": "Pesan bebas"}) == "Pesan bebas"
    with translation.override("id"):
        assert localised_message(stored) == "Nilai negatif tidak diizinkan: -5"


def test_it_translates_a_rejected_uploads_summary() -> None:
    from django.utils import translation

    from kotacerdas.monitoring.importer import REJECTED_FILE, REJECTED_ROWS, localised_job_message

    stored = REJECTED_ROWS % {"n": 4, "rows": 7}
    assert stored == "4 galat pada 7 baris; tidak ada yang ditulis"
    with translation.override("en"):
        assert localised_job_message(stored, 4, 7) == "Rows checked: 7, errors: 4; nothing was written"
        assert localised_job_message(stored, 4, 8) == stored  # counts disagree: shown as stored
        assert localised_job_message(REJECTED_FILE, 1, 0) == "File refused; nothing was written"
        assert localised_job_message("kolom x tidak ada", 1, 0) == "kolom x tidak ada"


@pytest.mark.django_db
def test_it_speaks_indonesian_by_default_and_english_on_request() -> None:
    c = client_for(None)
    assert settings.LANGUAGE_CODE == "id"
    body = c.get("/").content.decode()
    assert '<html lang="id">' in body and "Lompat ke isi" in body
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = c.get("/publik/").content.decode()
    assert '<html lang="en">' in english and "Skip to content" in english and "Public portal" in english


def _h1(body: str) -> str:
    m = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
    return re.sub(r"<[^>]+>", "", m.group(1)).strip() if m else ""


def _has_word(word: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_action_plan_page_in_both_languages(actors) -> None:
    url = "/wilayah/16.07/rencana-aksi/?tahun=2024"
    indonesian = actors.client(actors.citra).get(url).content.decode()
    assert _h1(indonesian).startswith("Rencana aksi — ")
    assert "Capaian per kategori" in indonesian and "Peningkatan kapasitas SDM" in indonesian
    assert "realisasi 112 / target 120 × 100 = 93,33%" in indonesian
    english = _english(actors.client(actors.citra)).get(url).content.decode()
    assert _h1(english).startswith("Action plan — ")
    assert "Achievement by category" in english and "Human capacity building" in english  # pack's name_en
    assert "actual 112 / target 120 × 100 = 93,33%" in english and ">In progress<" in english
    for indonesian_only in ("Capaian per kategori", "Peningkatan kapasitas SDM", "realisasi 112", "Berjalan",
                            "Tambah kegiatan", "Terlambat", "kegiatan"):
        assert not _has_word(indonesian_only, english), indonesian_only


def test_the_survey_pages_in_both_languages(actors) -> None:
    from kotacerdas.surveys.models import Survey

    url = "/wilayah/16.07/survei/?tahun=2024"
    indonesian = actors.client(actors.citra).get(url).content.decode()
    assert _h1(indonesian).startswith("Survei dampak — ") and "Kemajuan per pilar" in indonesian
    english = _english(actors.client(actors.citra)).get(url).content.decode()
    assert _h1(english).startswith("Impact survey — ")
    assert "Progress by pillar" in english and "Public service" in english  # sub-dimension name_en
    for indonesian_only in ("Kemajuan per pilar", "Layanan Publik", "responden", "kurang sampel", "rerata"):
        assert not _has_word(indonesian_only, english), indonesian_only
    survey = Survey.objects.get(region_id="16.07", cycle__year=2024)
    service = survey.services.filter(programme__isnull=False).first()
    form = f"/survei/{survey.token}/?layanan={service.pk}"
    assert "Tentang Anda" in client_for(None).get(form).content.decode()
    public = _english(client_for(None)).get(form).content.decode()
    assert "About you" in public and "Strongly agree" in public and "Send answers" in public
    assert "Tentang Anda" not in public and "Sangat setuju" not in public


@pytest.mark.parametrize("who", ["citra", "oki", "eka", "mira", "andi", "alice"])
def test_the_reports_link_appears_exactly_when_the_page_opens(actors, who: str) -> None:
    from kotacerdas.accounts import roles

    user = getattr(actors, who)
    client = actors.client(user)
    home = client.get("/").content.decode()
    links = re.findall(r'<a href="(/wilayah/[^"]+/laporan/)"[^>]*>Laporan</a>', home)
    region = roles.home_region(user)
    if region is None or roles.has_role(user, "assessor"):
        assert links == []
        return
    opens = client.get(f"/wilayah/{region}/laporan/").status_code == 200
    assert opens or who != "citra"  # the coordinator produces her region's report
    assert links == ([f"/wilayah/{region}/laporan/"] if opens else [])
    if opens:
        assert ">Reports</a>" in _english(client).get("/").content.decode()


def test_the_public_sees_no_reports_link(db) -> None:
    assert "/laporan/" not in client_for(None).get("/").content.decode()
