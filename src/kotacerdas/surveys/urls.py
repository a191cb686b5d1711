from __future__ import annotations

from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("wilayah/<str:code>/survei/", views.manage, name="manage"),
    path("survei/kelola/<int:pk>/kertas/", views.paper_entry, name="paper"),
    path("survei/kelola/<int:pk>/templat.xlsx", views.paper_template, name="paper_template"),
    path("survei/kelola/<int:pk>/unduh/", views.export, name="export"),
    path("survei/<str:token>/", views.public_form, name="public_form"),
    path("survei/<str:token>/terima-kasih/", views.public_thanks, name="public_thanks"),
    path("survei/<str:token>/hasil/", views.public_summary, name="public_summary"),
    path("survei/<str:token>/qr.svg", views.public_qr, name="public_qr"),
]
