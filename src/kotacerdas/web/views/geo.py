"""The bundled boundary files, served with caching headers and gzip; the national file also per province."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_GET

DATA = Path(__file__).resolve().parents[2] / "regions" / "data"
FILES = {
    "kabkota": "indonesia_kabkota.geojson",
    "banyuasin-kabupaten": "banyuasin_kabupaten.geojson",
    "banyuasin-kecamatan": "banyuasin_kecamatan.geojson",
    "banyuasin-desa": "banyuasin_desa.geojson",
}
MAX_AGE = 24 * 3600


@lru_cache(maxsize=64)
def _payload(name: str, province: str) -> tuple[bytes, bytes, str]:
    """(plain, gzipped, etag). Boundaries change only with a release, so they are built once per process."""
    raw = json.loads((DATA / FILES[name]).read_text(encoding="utf-8"))
    if province:
        raw["features"] = [f for f in raw["features"] if f["properties"]["kode"].split(".")[0] == province]
    plain = json.dumps(raw, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return plain, gzip.compress(plain, 6, mtime=0), hashlib.sha256(plain).hexdigest()[:32]


@require_GET
def geojson(request: HttpRequest, name: str) -> HttpResponse:
    if name not in FILES:
        raise Http404(name)
    province = request.GET.get("provinsi", "")
    if province and not re.fullmatch(r"\d{2}", province):
        raise Http404(province)
    plain, packed, etag = _payload(name, province if name == "kabkota" else "")
    quoted = f'"{etag}"'
    if request.headers.get("If-None-Match") == quoted:
        response: HttpResponse = HttpResponseNotModified()
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(packed, content_type="application/geo+json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(plain, content_type="application/geo+json")
    response["ETag"] = quoted
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Vary"] = "Accept-Encoding"
    return response
