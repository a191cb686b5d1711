"""Optimistic locking through the API: an update of something that exists must say which version the
client saw, in the body (`expected_version`) or as an `If-Match: "<version>"` header. Without it the
API answers 428 with the current value instead of overwriting what someone else saved; with a version
that is no longer current it answers 409, again with the current value. Creating something new needs
no version (it is created only if it still does not exist: a concurrent creation gives 409)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from django.utils.translation import gettext as _

from kotacerdas.core.errors import StaleEdit

from .errors import ApiError

T = TypeVar("T")
_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,10})"?\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(request: HttpRequest, in_body: int | None) -> int | None:
    """The version the client saw: the body's `expected_version` or the `If-Match` header (both: equal)."""
    header = request.headers.get("If-Match")
    if header is None:
        return in_body
    match = _ETAG.match(header)
    if match is None:
        raise ApiError(422, _('If-Match harus berupa versi dalam tanda kutip, mis. "3"'), "invalid", "If-Match")
    version = int(match.group(1))
    if in_body is not None and in_body != version:
        raise ApiError(422, _("expected_version dan If-Match berbeda"), "invalid", "expected_version")
    return version


NO_VERSION = -1  # a version no row has: the action runs all its checks, then refuses as stale


def versioned_write(request: HttpRequest, in_body: int | None, current: Callable[[], dict[str, Any] | None],
                    write: Callable[[int], T]) -> T:
    """Call `write(expected)` with the version the client saw, 0 when it saw nothing and nothing is
    there (create), or NO_VERSION when it names no version but something is there: the action still
    checks permission, state and input first (403/409/422 as usual), and its stale refusal becomes
    428 "version required". A stale version becomes 409. Both carry the current value as
    `context.current`."""
    given = expected_version(request, in_body)
    expected = given
    if expected is None:
        expected = 0 if current() is None else NO_VERSION
    try:
        return write(expected)
    except StaleEdit as exc:
        now = current()
        if given is None and now is not None:
            raise ApiError(428, _("Sudah ada nilai tersimpan: kirim expected_version (atau If-Match) berisi versi "
                                  "yang Anda lihat agar perubahan orang lain tidak tertimpa"), "version_required",
                           "expected_version", context={"current": now}) from exc
        raise ApiError(409, exc.message, exc.code, "expected_version", context={"current": now}) from exc
