"""The people list's filters as one django-filter FilterSet, shared by the national admin's people screen
(`/nasional/kelola/orang/`) and `GET /api/v1/users`: the same parameters narrow the same query."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from kotacerdas.core.filtering import narrowed

from .choices import Role


class UserFilterSet(df.FilterSet):
    """`q`: email or name contains; `peran` (the web's name) or `role` (the API's): holds that role now
    (an active membership)."""

    q = df.CharFilter(method="by_text")
    peran = df.ChoiceFilter(choices=Role.choices, method="by_role")
    role = df.ChoiceFilter(choices=Role.choices, method="by_role")

    class Meta:
        model = get_user_model()
        fields: list[str] = []

    def by_text(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        q = value.strip()
        return qs.filter(Q(email__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)) if q else qs

    def by_role(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(memberships__role=value, memberships__active=True).distinct()


def users(queryset: QuerySet[Any], params: Any) -> QuerySet[Any]:
    """`queryset` narrowed by the request's parameters; an unknown role is ignored (the API's schema
    refuses one before this), never an error page."""
    return narrowed(UserFilterSet, queryset, params)
