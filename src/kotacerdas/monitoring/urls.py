from __future__ import annotations

from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("wilayah/<str:code>/kpi/impor/", views.upload, name="upload"),
    path("wilayah/<str:code>/kpi/impor/<int:job_id>/", views.job_status, name="job"),
]
