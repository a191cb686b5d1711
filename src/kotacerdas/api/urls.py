from __future__ import annotations

from ninja import NinjaAPI

from kotacerdas import __version__

from . import catalogue, errors, evaluations, regions

api = NinjaAPI(
    title="kotacerdas API",
    version="1",
    description="API evaluasi implementasi Smart City (wilayah, katalog, evaluasi). Versi aplikasi " + __version__,
    urls_namespace="api-v1",
)
errors.install(api)
api.add_router("", regions.router)
api.add_router("", catalogue.router)
api.add_router("", evaluations.router)
