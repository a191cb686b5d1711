from __future__ import annotations

from django.urls import path

from . import views

app_name = "actionplans"
urlpatterns = [
    path("wilayah/<str:code>/rencana-aksi/", views.plan, name="plan"),
    path("wilayah/<str:code>/rencana-aksi/baru/", views.item_new, name="new"),
    path("wilayah/<str:code>/rencana-aksi/ekspor.xlsx", views.export_xlsx, name="export"),
    path("wilayah/<str:code>/rencana-aksi/impor/", views.import_upload, name="import"),
    path("wilayah/<str:code>/rencana-aksi/impor/<int:job_id>/", views.import_status, name="import_status"),
    path("wilayah/<str:code>/rencana-aksi/<int:pk>/", views.item_detail, name="item"),
]
