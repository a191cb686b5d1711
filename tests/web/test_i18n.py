"""Indonesian by default, English complete: no empty msgstr, and the compiled .mo matches the .po."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import client_for

PO = Path(__file__).resolve().parents[2] / "src" / "kotacerdas" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _unquote(chunk: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', chunk)
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), "".join(parts))


def entries(path: Path = PO) -> list[dict[str, object]]:
    """msgid, plural flag, msgstr(s) and flags of every live entry (obsolete #~ ones skipped)."""
    out = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [ln for ln in block.strip().splitlines() if not ln.startswith("#~")]
        if not any(ln.startswith("msgid ") for ln in lines):
            continue
        flags = " ".join(ln for ln in lines if ln.startswith("#,"))
        body = "\n".join(ln for ln in lines if not ln.startswith("#"))
        fields = dict(re.findall(r'^(msgid_plural|msgid|msgstr(?:\[\d+\])?) ((?:"(?:[^"\\]|\\.)*"\s*)+)', body, re.M))
        msgid = _unquote(fields["msgid"])
        if msgid == "":
            continue
        strs = [_unquote(v) for k, v in fields.items() if k.startswith("msgstr")]
        out.append({"msgid": msgid, "plural": "msgid_plural" in fields, "msgstr": strs, "flags": flags})
    return out


def test_it_has_an_english_translation_for_every_message() -> None:
    rows = entries()
    assert len(rows) > 200
    empty = [r["msgid"] for r in rows if not all(r["msgstr"]) or not r["msgstr"]]
    fuzzy = [r["msgid"] for r in rows if "fuzzy" in str(r["flags"])]
    assert empty == [], f"untranslated msgids in {PO.name}: {empty[:10]}"
    assert fuzzy == [], f"fuzzy msgids in {PO.name}: {fuzzy[:10]}"


def test_it_ships_a_compiled_catalogue_that_matches_the_po() -> None:
    with PO.with_suffix(".mo").open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    stale = [r["msgid"] for r in entries() if not r["plural"] and catalogue.gettext(str(r["msgid"])) != r["msgstr"][0]]
    assert stale == [], f"django.mo is older than django.po (run compilemessages): {stale[:5]}"


def test_it_detects_an_empty_msgstr(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: en\\n"\n\nmsgid "Beranda"\nmsgstr ""\n\n'
                  'msgid "%(n)s program"\nmsgid_plural "%(n)s program"\nmsgstr[0] "%(n)s programme"\nmsgstr[1] ""\n',
                  encoding="utf-8")
    rows = entries(po)
    assert [r["msgid"] for r in rows if not all(r["msgstr"])] == ["Beranda", "%(n)s program"]


@pytest.mark.django_db
def test_it_speaks_indonesian_by_default_and_english_on_request() -> None:
    c = client_for(None)
    assert settings.LANGUAGE_CODE == "id"
    body = c.get("/").content.decode()
    assert '<html lang="id">' in body and "Lompat ke isi" in body
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = c.get("/publik/").content.decode()
    assert '<html lang="en">' in english and "Skip to content" in english and "Public portal" in english
