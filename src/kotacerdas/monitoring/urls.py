from __future__ import annotations

from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("wilayah/<str:code>/kpi/impor/", views.upload, name="upload"),
    path("wilayah/<str:code>/kpi/impor/templat.<str:fmt>", views.template_file, name="template"),
    path("wilayah/<str:code>/kpi/impor/<int:job_id>/", views.job_status, name="job"),
    path("wilayah/<str:code>/kpi/impor/<int:job_id>/kolom/", views.columns, name="columns"),
    path("wilayah/<str:code>/kpi/impor/<int:job_id>/terapkan/", views.apply, name="apply"),
]
