"""What makes a survey response valid, in one place for every way a response arrives: the public form,
a paper questionnaire typed in by staff (``actions``) and a row of the paper-questionnaire workbook
(``excel``), so ``actions`` and ``excel`` both import this module instead of each other.

:func:`validate_response` checks a :class:`ResponseInput` against the survey (service, kecamatan, profile,
every item of the service's sub-dimension on the pack's scale). :class:`PaperRow` is one workbook row as
a declarative schema (see :mod:`kotacerdas.core.rows`): its converters read the cells (names or codes in
either language, a dd/mm/yyyy date inside the survey window, answers as whole numbers) and its
``row_checks`` run :func:`validate_response` on the result, so a row is held to exactly the rules the
form is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BeforeValidator, ValidationInfo, field_validator

from kotacerdas.core.rows import Problem, RowSchema, Text, choice, fail, to_date
from kotacerdas.core.sheets import cell_text

from . import queries
from .choices import AgeBand, Gender
from .models import Survey, SurveyService

PROFILE = [("paper_ref", "Nomor lembar"), ("date", "Tanggal isi"), ("kecamatan", "Kecamatan"),
           ("age_band", "Kelompok umur"), ("gender", "Jenis kelamin"), ("service", "Layanan")]
PAPER_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


@dataclass
class ResponseInput:
    service: int | None
    kecamatan: str
    age_band: str
    gender: str
    answers: dict[str, int]
    contact_name: str = ""
    contact_phone: str = ""
    code: str = ""
    submitted_at: dt.datetime | None = None
    paper_ref: str = ""


def validate_response(survey: Survey, data: ResponseInput) -> tuple[dict[str, str], SurveyService | None]:
    """{field: message} for everything wrong with one response (empty = valid), and its service."""
    errors: dict[str, str] = {}
    service = queries.active_services(survey).filter(pk=data.service).first() if data.service else None
    if service is None:
        errors["service"] = _("Pilih layanan/program yang Anda manfaatkan")
    if not queries.kecamatan_of(survey.region_id).filter(code=data.kecamatan).exists():
        errors["kecamatan"] = _("Pilih kecamatan tempat tinggal Anda")
    if data.age_band not in AgeBand.values:
        errors["age_band"] = _("Pilih kelompok umur")
    if data.gender not in Gender.values:
        errors["gender"] = _("Pilih jenis kelamin")
    if service is not None:
        pack = queries.survey_pack(survey)
        items = queries.items_by_subdimension(pack).get(service.subdimension, [])
        lo, hi = pack.survey_scale_min, pack.survey_scale_max
        for n, item in enumerate(items, start=1):
            value = data.answers.get(item.code)
            if value is None:
                errors[item.code] = _("Pernyataan %(n)s belum dijawab") % {"n": n}
            elif not lo <= value <= hi:
                errors[item.code] = _("Pernyataan %(n)s: nilai harus %(lo)s–%(hi)s") % {"n": n, "lo": lo, "hi": hi}
        extra = set(data.answers) - {i.code for i in items}
        if extra:
            errors["answers"] = _("Butir tidak termasuk layanan ini: %(codes)s") % {"codes": ", ".join(sorted(extra))}
    if len(data.contact_phone) > 30 or (data.contact_phone and not
                                         data.contact_phone.replace("+", "").replace(" ", "").replace("-", "").isdigit()):
        errors["contact_phone"] = _("Nomor telepon hanya berisi angka")
    return errors, service


# ------------------------------------------------------------------------------- paper workbook rows


class PaperLookups:
    """What a paper row's cells are looked up in, loaded once per import."""

    def __init__(self, survey: Survey) -> None:
        self.survey = survey
        self.pack = queries.survey_pack(survey)
        self.kecamatan: dict[str, str] = {}
        for k in queries.kecamatan_of(survey.region_id):
            self.kecamatan[k.code] = k.code
            self.kecamatan[k.name.casefold()] = k.code
        self.services: dict[str, SurveyService] = {}
        for s in queries.active_services(survey):
            assert s.programme is not None
            for key in (s.programme.code, s.programme.title.casefold(), s.subdimension):
                self.services[key] = s
        self.ages = {**{v: v for v in AgeBand.values}, **{str(a.label).casefold(): a.value for a in AgeBand}}
        self.genders = {**{v.casefold(): v for v in Gender.values},
                        **{str(g.label).casefold(): g.value for g in Gender}}


def _lookups(info: ValidationInfo) -> PaperLookups:
    assert info.context is not None, "PaperRow is validated with context={'lookups': PaperLookups(...)}"
    lookups: PaperLookups = info.context["lookups"]
    return lookups


def _answer(value: Any, info: ValidationInfo) -> int:
    text = cell_text(value)
    if not text.isdigit():
        pack = _lookups(info).pack
        raise fail(_("Jawaban harus angka %(lo)s–%(hi)s") % {"lo": pack.survey_scale_min, "hi": pack.survey_scale_max})
    return int(text)


class PaperRow(RowSchema):
    """One row of the 'Kuesioner' sheet: the profile columns of :data:`PROFILE` and ``answers`` (item code
    -> cell) for the item columns; a problem with an answer is reported under the item's code."""

    paper_ref: Text = ""
    date: dt.datetime | None = None
    kecamatan: str = ""
    age_band: str = ""
    gender: str = ""
    service: SurveyService | None = None
    answers: dict[str, Annotated[int, BeforeValidator(_answer)]] = {}

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any, info: ValidationInfo) -> dt.datetime | None:
        day = to_date(value, PAPER_DATE_FORMATS)
        if day is None:
            return None
        # Paper sheets carry a day, not a time: count them at noon local time.
        when = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
        if not _lookups(info).survey.in_window(when):
            raise fail(_("Tanggal pengisian di luar jendela survei"))
        return when

    @field_validator("kecamatan", mode="before")
    @classmethod
    def _kecamatan(cls, value: Any, info: ValidationInfo) -> str:
        look, text = _lookups(info), cell_text(value)
        code = look.kecamatan.get(text.casefold()) or look.kecamatan.get(text)
        if code is None:
            raise fail(_("Kecamatan tidak dikenal di %(region)s") % {"region": look.survey.region.name})
        return code

    _age_band = choice("age_band", lookup="ages", casefold=True,
                       refusal=gettext_lazy("Kelompok umur tidak dikenal (17-24, 25-34, 35-44, 45-54, 55+)"))
    _gender = choice("gender", lookup="genders", casefold=True, refusal=gettext_lazy("Jenis kelamin: L, P atau X"))

    @field_validator("service", mode="before")
    @classmethod
    def _service(cls, value: Any, info: ValidationInfo) -> SurveyService:
        services, text = _lookups(info).services, cell_text(value)
        service = services.get(text) or services.get(text.casefold())
        if service is None:
            raise fail(_("Layanan tidak dikenal (pakai kode program, lihat lembar Petunjuk)"))
        return service

    @field_validator("answers", mode="before")
    @classmethod
    def _skip_blank_answers(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {code: raw for code, raw in value.items() if cell_text(raw) != ""}
        return value

    def response(self) -> ResponseInput:
        return ResponseInput(service=self.service.pk if self.service else None, kecamatan=self.kecamatan,
                             age_band=self.age_band, gender=self.gender, answers=dict(self.answers),
                             submitted_at=self.date, paper_ref=self.paper_ref)

    def row_checks(self, context: Mapping[str, Any]) -> Iterable[Problem]:
        problems, _service = validate_response(context["lookups"].survey, self.response())
        return [Problem(name, message) for name, message in problems.items()]
