"""Check an uploaded evidence file by its content, not by its name: PDF, images, Office documents.

Office files are zip archives (or OLE2 for the old formats); zips are also checked against
decompression bombs before anything else looks inside them.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import filetype
from django.utils.translation import gettext as _

ALLOWED = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
    "application/x-ole-storage": ".doc",
}
EXPECTED_BY_EXTENSION = {
    ".pdf": {"application/pdf"}, ".png": {"image/png"}, ".jpg": {"image/jpeg"}, ".jpeg": {"image/jpeg"},
    ".gif": {"image/gif"}, ".webp": {"image/webp"},
    ".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    ".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    ".odt": {"application/vnd.oasis.opendocument.text"},
    ".ods": {"application/vnd.oasis.opendocument.spreadsheet"},
    ".odp": {"application/vnd.oasis.opendocument.presentation"},
    ".doc": {"application/x-ole-storage"}, ".xls": {"application/x-ole-storage"},
    ".ppt": {"application/x-ole-storage"},
}
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 5000
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class UploadRejected(ValueError):
    """The file is not what it claims, too large, or dangerous; the message says why (in the active language)."""


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int


def _zip_kind(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UploadRejected(_("Arsip ZIP rusak")) from exc
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise UploadRejected(_("Arsip berisi terlalu banyak berkas"))
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
        raise UploadRejected(_("Arsip mencurigakan (rasio kompresi terlalu besar / zip bomb)"))
    names = {i.filename for i in infos}
    if "mimetype" in names:
        mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
        if mimetype in ALLOWED:
            return mimetype
    if "[Content_Types].xml" in names:
        for prefix, kind in (("word/", ".docx"), ("xl/", ".xlsx"), ("ppt/", ".pptx")):
            if any(n.startswith(prefix) for n in names):
                return next(k for k, v in ALLOWED.items() if v == kind)
    raise UploadRejected(_("Arsip ZIP biasa tidak diterima; unggah PDF, gambar atau dokumen Office"))


def virus_scan(data: bytes) -> None:
    """Optional ClamAV hook: with KOTACERDAS_VIRUS_SCAN set to a command that reads the file on stdin
    (e.g. ``clamdscan --no-summary -``), a non-zero exit refuses the upload."""
    import os
    import shlex
    import subprocess

    command = os.environ.get("KOTACERDAS_VIRUS_SCAN", "").strip()
    if not command:
        return
    try:
        result = subprocess.run(shlex.split(command), input=data, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UploadRejected(_("Pemindai virus tidak bisa dijalankan (%(error)s); coba lagi")
                             % {"error": exc.__class__.__name__}) from exc
    if result.returncode != 0:
        raise UploadRejected(_("Berkas ditolak oleh pemindai virus"))


def check_upload(data: bytes, filename: str, max_bytes: int) -> CheckedFile:
    if len(data) == 0:
        raise UploadRejected(_("Berkas kosong"))
    if len(data) > max_bytes:
        raise UploadRejected(_("Berkas terlalu besar: %(size)s MB, batas %(limit)s MB")
                             % {"size": f"{len(data) / 1e6:.1f}", "limit": f"{max_bytes / 1e6:.0f}"})
    if data.startswith(b"PK\x03\x04"):
        content_type = _zip_kind(data)
    elif data.startswith(OLE2):
        content_type = "application/x-ole-storage"
    else:
        guess = filetype.guess(data[:8192])
        content_type = guess.mime if guess else "application/octet-stream"
    if content_type not in ALLOWED:
        raise UploadRejected(_("Jenis berkas tidak diterima (%(type)s); unggah PDF, gambar atau dokumen Office")
                             % {"type": content_type})
    match = re.search(r"(\.[A-Za-z0-9]{1,5})$", filename or "")
    claimed = match.group(1).lower() if match else ""
    if claimed and claimed in EXPECTED_BY_EXTENSION and content_type not in EXPECTED_BY_EXTENSION[claimed]:
        raise UploadRejected(_("Isi berkas tidak sesuai dengan namanya: bernama %(name)s tetapi berisi %(type)s")
                             % {"name": claimed, "type": content_type})
    if claimed and claimed not in EXPECTED_BY_EXTENSION:
        raise UploadRejected(_("Ekstensi %(ext)s tidak diterima") % {"ext": claimed})
    extension = claimed if claimed in (".doc", ".xls", ".ppt", ".jpeg") else ALLOWED[content_type]
    virus_scan(data)
    return CheckedFile(content_type=content_type, extension=extension, size=len(data))


def safe_display_name(filename: str) -> str:
    base = re.split(r"[\\/]", filename or "")[-1]
    cleaned = re.sub(r"[^\w.\- ()]+", "_", base, flags=re.UNICODE).strip(" .")
    return cleaned[:150] or "berkas"
