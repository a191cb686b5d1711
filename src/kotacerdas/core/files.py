"""Stored files wherever they live: the media folder of this host, or S3-compatible object storage
(settings.STORAGE_URL). Code that needs a real path (a spreadsheet reader, a CSV sniffer) asks for one
here instead of calling ``storage.path``, which object storage does not have."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.files.storage import Storage, default_storage


def local_root(storage: Storage | None = None) -> Path | None:
    """The folder the storage keeps its files in, or None for object storage."""
    try:
        return Path((storage or default_storage).path("")).resolve()
    except NotImplementedError:
        return None


@contextmanager
def local_path(name: str, storage: Storage | None = None) -> Iterator[Path]:
    """A path on this host holding the stored file ``name``: the file itself on disk, else a private
    temporary copy (same suffix, so readers that look at it still work) removed afterwards."""
    storage = storage or default_storage
    try:
        yield Path(storage.path(name))
        return
    except NotImplementedError:
        pass
    fd, tmp = tempfile.mkstemp(suffix=Path(name).suffix, prefix="kotacerdas-")
    try:
        with os.fdopen(fd, "wb") as out, storage.open(name, "rb") as src:
            shutil.copyfileobj(src, out, 1024 * 1024)
        yield Path(tmp)
    finally:
        os.unlink(tmp)


@contextmanager
def field_path(field_file: Any) -> Iterator[Path]:
    """``local_path`` for a FieldFile (``obj.file``)."""
    with local_path(field_file.name, field_file.storage) as path:
        yield path
