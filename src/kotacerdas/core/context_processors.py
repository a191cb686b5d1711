from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .provenance import demo_state


def demo(request: HttpRequest) -> dict[str, Any]:
    """`demo_loaded` for the DEMO banner of base.html: read from the cache (core.provenance), no query."""
    return {"demo_loaded": demo_state().loaded}
