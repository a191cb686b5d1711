from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    # Friendly Indonesian addresses for allauth's login and logout pages.
    path("masuk/", RedirectView.as_view(pattern_name="account_login", query_string=True), name="login"),
    path("keluar/", RedirectView.as_view(pattern_name="account_logout", query_string=True), name="logout"),
    path("wilayah/<str:code>/program/", views.programme_list, name="programmes"),
]
