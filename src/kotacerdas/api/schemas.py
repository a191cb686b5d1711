from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorItem(Schema):
    """One problem: a field (validation), or a sheet/row/column of an imported file."""

    message: str
    field: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    code: str | None = None


class ErrorOut(Schema):
    """The one shape of every error answer (4xx, 503)."""

    detail: str
    code: str
    field: str | None = None
    errors: list[ErrorItem] | None = None
    context: dict[str, Any] | None = None
