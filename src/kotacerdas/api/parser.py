"""The API's request parser: every JSON body, query string and form field is checked once here, before
any schema or action sees it — no NUL, no lone surrogate, no string longer than
any field we store (lib/text). A refusal is a 422 naming the field (errors.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

from kotacerdas.lib.text import find_problem


class UnsafeText(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


def check(data: Any) -> Any:
    found = find_problem(data)
    if found is not None:
        raise UnsafeText(*found)
    return data


class SafeParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        return check(super().parse_body(request))

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        return check(super().parse_querydict(data, list_fields, request))
