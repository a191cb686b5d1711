from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from django.views.generic import RedirectView

from kotacerdas.reports import views as report_views

from . import views
from .views import catalogue as catalogue_views
from .views import iid as iid_views
from .views import whatif as whatif_views

app_name = "web"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    # Friendly Indonesian addresses for allauth's login and logout pages.
    path("masuk/", RedirectView.as_view(pattern_name="account_login", query_string=True), name="login"),
    path("keluar/", RedirectView.as_view(pattern_name="account_logout", query_string=True), name="logout"),
    path("wilayah/<str:code>/program/", views.programme_list, name="programmes"),
    path("wilayah/<str:code>/program/baru/", catalogue_views.programme_new, name="programme_new"),
    path("wilayah/<str:code>/program/<slug:programme>/", views.programme_detail, name="programme"),
    path("wilayah/<str:code>/program/<slug:programme>/ubah/", catalogue_views.programme_edit, name="programme_edit"),
    path("wilayah/<str:code>/program/<slug:programme>/arsipkan/", catalogue_views.programme_archive,
         name="programme_archive"),
    path("wilayah/<str:code>/program/<slug:programme>/pulihkan/", catalogue_views.programme_restore,
         name="programme_restore"),
    path("wilayah/<str:code>/unit/", catalogue_views.units, name="units"),
    path("wilayah/<str:code>/unit/<int:pk>/", catalogue_views.unit_edit, name="unit_edit"),
    path("wilayah/<str:code>/dasbor/", views.dashboard, name="dashboard"),
    path("wilayah/<str:code>/iid/", iid_views.iid_page, name="iid"),
    path("wilayah/<str:code>/simulasi/", whatif_views.whatif_page, name="whatif"),
    path("wilayah/<str:code>/peta/", views.region_map, name="region_map"),
    path("wilayah/<str:code>/peta/data.json", views.region_map_data, name="region_map_data"),
    path("geo/<slug:name>.geojson", views.geojson, name="geojson"),
    path("pengajuan/<int:pk>/", views.submission_detail, name="submission"),
    path("pengajuan/<int:pk>/jawaban/<str:code>/", views.save_answer, name="save_answer"),
    path("pengajuan/<int:pk>/jawaban/<str:code>/survei/", views.apply_survey_level, name="apply_survey_level"),
    path("pengajuan/<int:pk>/bukti/<str:code>/berkas/", views.add_evidence_file, name="evidence_file"),
    path("pengajuan/<int:pk>/bukti/<str:code>/tautan/", views.add_evidence_link, name="evidence_link"),
    path("pengajuan/<int:pk>/bukti/<int:evidence_id>/arsip/", views.archive_evidence, name="evidence_archive"),
    path("pengajuan/<int:pk>/kirim/", views.submit, name="submit"),
    path("pengajuan/<int:pk>/nilai/", views.assessor_screen, name="assess"),
    path("pengajuan/<int:pk>/nilai/<str:code>/", views.save_score, name="save_score"),
    path("pengajuan/<int:pk>/selesai/", views.complete_assessment, name="complete_assessment"),
    path("pengajuan/<int:pk>/umpan-balik/", views.save_feedback, name="feedback"),
    path("pengajuan/<int:pk>/konsensus/", views.set_consensus, name="consensus"),
    path("pengajuan/<int:pk>/mulai/", views.start_assessment, name="start_assessment"),
    path("pengajuan/<int:pk>/kembalikan/", views.return_submission, name="return_submission"),
    path("pengajuan/<int:pk>/tutup/", views.conclude, name="conclude"),
    path("wilayah/<str:code>/laporan/", report_views.report_page, name="reports"),
    path("wilayah/<str:code>/laporan/buat/", report_views.report_start, name="report_start"),
    path("wilayah/<str:code>/laporan/impor/", report_views.import_start, name="report_import"),
    path("wilayah/<str:code>/laporan/impor/<int:job_id>/", report_views.import_job, name="report_import_job"),
    path("wilayah/<str:code>/laporan/impor/<int:job_id>/terapkan/", report_views.import_apply,
         name="report_import_apply"),
    path("laporan/<int:pk>/", report_views.report_job, name="report_job"),
    path("laporan/<int:pk>/unduh/", report_views.report_download, name="report_download"),
    path("nasional/", views.national, name="national"),
    path("nasional/peta/", views.national_map, name="national_map"),
    path("nasional/peringkat/", views.national_ranking, name="national_ranking"),
    path("nasional/kelola/", views.admin_home, name="admin_home"),
    path("wilayah/<str:code>/pengguna/", views.region_people, name="region_people"),
    path("nasional/kelola/orang/", views.admin_people, name="admin_people"),
    path("nasional/kelola/siklus/<int:pk>/", views.admin_cycle, name="admin_cycle"),
    path("nasional/kelola/siklus/<int:pk>/panel/", views.admin_panels, name="admin_panels"),
    path("nasional/kelola/siklus/<int:pk>/jadwal/", views.admin_schedule, name="admin_schedule"),
    path("nasional/kelola/siklus/<int:pk>/kemajuan/", views.admin_progress, name="admin_progress"),
    path("nasional/kelola/siklus/<int:pk>/terbit/", views.admin_publish, name="admin_publish"),
    path("nasional/peta/data.json", views.national_map_data, name="national_map_data"),
    path("publik/", views.portal, name="portal"),
    path("publik/<str:code>/", views.public_region, name="public_region"),
]

# Rencana aksi and survei dampak pages (namespaces web:actionplans, web:surveys).
from django.urls import include  # noqa: E402

urlpatterns += [path("", include("kotacerdas.actionplans.urls")), path("", include("kotacerdas.surveys.urls"))]
