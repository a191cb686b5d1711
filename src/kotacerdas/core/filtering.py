"""Running a list's django-filter FilterSet over a request's parameters, the one way for web views and API
routes: each app's `filters.py` declares the FilterSet and calls `narrowed`."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import QuerySet

from .errors import InvalidInput


def narrowed(filterset: type[df.FilterSet], queryset: QuerySet[Any], params: Any, *, strict: bool = False,
             **kwargs: Any) -> QuerySet[Any]:
    """`queryset` narrowed by `params` (a dict or a QueryDict; one value per name). A value that does not
    fit is dropped when not `strict` (the web pages ignore it and list the rest), else raises InvalidInput
    naming the parameter (the API answers 422), never a list silently wider than asked for."""
    data = {k: params.get(k) for k in params}
    fs = filterset(data, queryset=queryset, **kwargs)
    if not fs.is_valid():
        if strict:
            first = next(iter(fs.errors))
            raise InvalidInput("; ".join(f"{k}: {' '.join(v)}" for k, v in fs.errors.items()), field=first)
        fs = filterset({k: v for k, v in data.items() if k not in fs.errors}, queryset=queryset, **kwargs)
    return fs.qs
