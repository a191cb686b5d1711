from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from kotacerdas.api.urls import api
from kotacerdas.core.views import healthz

admin.site.site_header = "kotacerdas — administrasi"
admin.site.site_title = "kotacerdas"

handler500 = "kotacerdas.core.middleware.server_error"
handler403 = "kotacerdas.web.views.errors.permission_denied"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("akun/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("kotacerdas.monitoring.urls")),
    path("", include("kotacerdas.web.urls")),
]
