from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from kotacerdas import __version__

from . import catalogue, errors, evaluations, regions
from .parser import SafeParser


class KotacerdasAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        from .openapi import document

        return document(super().get_openapi_schema(**kwargs))


api = KotacerdasAPI(
    title="kotacerdas API",
    version="1",
    description="API evaluasi implementasi Smart City (wilayah, katalog, evaluasi). Versi aplikasi " + __version__,
    urls_namespace="api-v1",
    parser=SafeParser(),
)
errors.install(api)
api.add_router("", regions.router)
api.add_router("", catalogue.router)
api.add_router("", evaluations.router)
from . import whatif as _whatif  # noqa: E402

api.add_router("", _whatif.router)
from . import actionplans as _actionplans  # noqa: E402
from . import surveys as _surveys  # noqa: E402

api.add_router("", _actionplans.router)
api.add_router("", _surveys.router)
from . import monitoring as _monitoring  # noqa: E402

api.add_router("", _monitoring.router)
from . import reports as _reports  # noqa: E402
from . import resources as _resources  # noqa: E402
from . import tokens as _tokens  # noqa: E402

api.add_router("", _resources.router)
api.add_router("", _reports.router)
api.add_router("", _tokens.router)
from . import national as _national  # noqa: E402

api.add_router("", _national.router)
from . import people as _people  # noqa: E402

api.add_router("", _people.router)
