"""The served OpenAPI document tells the truth about every operation: the error statuses it can answer
(all with the one `ErrorOut` schema), and which authentication it takes (optional auth is shown as
optional: anonymous, bearer token or session).

Which errors an operation can give follows from its shape, the same way for every route:
- authentication required → 401 (no or unknown credentials) and 403 (permission, token scope, CSRF);
- a path or query parameter → 404 (nothing with that key — region, year, id —, or nothing the caller may see);
- query/path parameters or a body → 422 (validation, with the field);
- every operation → 400 (a NUL character in the address, or a body that is not JSON or not a form) and
  503 (database unavailable);
- a request body → 413 (too large);
- POST, PUT, PATCH → 409 (state or version conflict); PUT and PATCH → 428 (update without a version).
"""

from __future__ import annotations

from typing import Any

from .schemas import ErrorOut

REASONS = {
    400: "Permintaan tidak bisa dibaca (karakter NUL, badan rusak) / malformed request",
    401: "Perlu masuk atau token API / authentication required",
    403: "Tidak berhak, cakupan token kurang, atau CSRF gagal / forbidden",
    404: "Tidak ditemukan atau tidak boleh dilihat / not found",
    409: "Konflik: status atau versi sudah berubah / conflict",
    413: "Terlalu besar / payload too large",
    422: "Masukan tidak sah (lihat field dan errors) / invalid input",
    428: "Perlu versi (expected_version atau If-Match) / precondition required",
    503: "Basis data tidak tersedia / database unavailable",
}
METHODS = ("get", "post", "put", "patch", "delete")


def _errors_for(path: str, method: str, op: dict[str, Any], requires_auth: bool) -> set[int]:
    codes = {400, 503}
    if requires_auth:
        codes |= {401, 403}
    if op.get("parameters"):
        codes |= {404, 422}
    if op.get("requestBody"):
        codes.add(422)
    if op.get("requestBody"):
        codes.add(413)
    if method in ("post", "put", "patch"):
        codes.add(409)
    if method in ("put", "patch"):
        codes.add(428)
    return codes


def document(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in error_schema.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas["ErrorOut"] = error_schema
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    schemes = components.setdefault("securitySchemes", {})
    optional = schemes.pop("OptionalAuth", None)
    if optional is not None:
        schemes.setdefault("SessionAuth", optional)
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            security = op.get("security") or []
            names = {name for entry in security for name in entry}
            if "OptionalAuth" in names:
                op["security"] = [{}, {"TokenAuth": []}, {"SessionAuth": []}]
                op["description"] = (op.get("description", "") + "\n\nAutentikasi opsional: tanpa masuk menampilkan "
                                     "data publik; dengan sesi atau token menampilkan juga yang boleh Anda lihat.").strip()
            requires_auth = bool(names) and "OptionalAuth" not in names
            responses = op.setdefault("responses", {})
            for code in sorted(_errors_for(path, method, op, requires_auth)):
                responses.setdefault(str(code), {"description": REASONS[code],
                                                 "content": {"application/json": {"schema": ref}}})
    return schema
