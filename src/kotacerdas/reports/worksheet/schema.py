"""The declarative schema of one indicator row of the worksheet, as read back from a file."""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from pydantic import ValidationInfo, field_validator

from kotacerdas.core.rows import RowSchema
from kotacerdas.core.rows import fail as _fail
from kotacerdas.core.sheets import cell_text as _text
from kotacerdas.scoring.packs import Node, Pack

from .layout import TITLES, levels_text, same_text


def _ctx(info: ValidationInfo) -> dict[str, Any]:
    if not isinstance(info.context, dict):
        raise TypeError("WorksheetRow is validated with a context (see its docstring)")
    return info.context


class WorksheetRow(RowSchema):
    """One indicator row of a dimension sheet, as read from the file (checked with
    :func:`kotacerdas.core.rows.check_row`). Validation needs the context ``{"pack", "dimension",
    "indicators" (code -> Node), "shares", "programmes" (code -> Programme), "columns" (the keys the
    file has)}``.

    The reference columns (name, weight, rubric) are optional — files exported before they existed have
    none — but when present they must be as exported: they explain the score and are locked."""

    code: str
    name: str | None = None
    weight: float | None = None
    levels: str | None = None
    level: int | None = None
    justification: str = ""
    programme: str = ""
    evidence: tuple[str, ...] = ()
    version: int = 0

    @staticmethod
    def _node(info: ValidationInfo) -> Node | None:
        code = info.data.get("code")
        return None if code is None else _ctx(info)["indicators"].get(code)

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any, info: ValidationInfo) -> str:
        code = _text(value)
        if code not in _ctx(info)["indicators"]:
            raise _fail(_("Kode indikator %(code)r tidak ada pada dimensi %(dimension)s")
                        % {"code": code, "dimension": _ctx(info)["dimension"].name})
        return code

    @field_validator("name", "levels", mode="before")
    @classmethod
    def _reference_text(cls, value: Any, info: ValidationInfo) -> str | None:
        if info.field_name not in _ctx(info)["columns"]:
            return None  # an older export without the column
        text, node = _text(value), cls._node(info)
        if node is not None:
            expected = node.name if info.field_name == "name" else levels_text(node)
            if not same_text(text, expected):
                raise _fail(_("Kolom %(column)s hanya rujukan dan dikunci; isinya diubah. Pakai berkas hasil "
                              "ekspor (atau kembalikan isinya)") % {"column": TITLES[str(info.field_name)]})
        return text

    @field_validator("weight", mode="before")
    @classmethod
    def _weight(cls, value: Any, info: ValidationInfo) -> float | None:
        node = cls._node(info)
        if node is None or "weight" not in _ctx(info)["columns"]:
            return None
        expected = _ctx(info)["shares"].get(node.code)
        try:
            given = None if _text(value) == "" else float(_text(value).replace(",", "."))
        except ValueError:
            given = float("nan")
        same = (given is None and expected is None) or (
            given is not None and expected is not None and abs(given - float(expected)) < 1e-9)
        if not same:
            raise _fail(_("Bobot hanya rujukan dan dikunci: mengubahnya tidak mengubah skor (berkas %(file)s, "
                          "paket %(pack)s). Kembalikan isinya atau ekspor ulang")
                        % {"file": _text(value) or "-",
                           "pack": "-" if expected is None else f"{number_format(expected * 100, 1)} %"})
        return given

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, value: Any, info: ValidationInfo) -> int | None:
        if _text(value) == "":
            return None
        pack: Pack = _ctx(info)["pack"]
        try:
            as_float = float(_text(value).replace(",", "."))
        except ValueError:
            raise _fail(_("Tingkat %(value)r bukan angka") % {"value": value}) from None
        if not as_float.is_integer():
            raise _fail(_("Tingkat %(value)r harus bilangan bulat") % {"value": value})
        level = int(as_float)
        if not pack.scale_min <= level <= pack.scale_max:
            raise _fail(_("Tingkat %(level)s di luar skala %(min)s–%(max)s")
                        % {"level": level, "min": pack.scale_min, "max": pack.scale_max})
        return level

    @field_validator("justification", mode="before")
    @classmethod
    def _justification(cls, value: Any) -> str:
        return _text(value)

    @field_validator("programme", mode="before")
    @classmethod
    def _programme(cls, value: Any, info: ValidationInfo) -> str:
        code = _text(value)
        if code and code not in _ctx(info)["programmes"]:
            raise _fail(_("Program %(code)r tidak ada di katalog wilayah ini") % {"code": code})
        return code

    @field_validator("evidence", mode="before")
    @classmethod
    def _evidence(cls, value: Any) -> tuple[str, ...]:
        links = []
        for line in _text(value).splitlines():
            line = line.strip()
            if not line or line.startswith("[berkas]"):
                continue
            if not line.startswith(("http://", "https://")):
                raise _fail(_("Tautan bukti harus diawali http:// atau https:// (%(value)r)") % {"value": line[:40]})
            links.append(line)
        return tuple(links)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> int:
        text = _text(value)
        try:
            version = int(float(text)) if text else 0
        except ValueError:
            version = -1
        if version < 0 or (text and not float(text).is_integer()):
            raise _fail(_("Versi %(value)r bukan bilangan bulat; kolom ini dikunci, kembalikan isinya")
                        % {"value": value})
        return version


