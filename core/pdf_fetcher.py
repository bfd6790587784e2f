"""The only URL fetcher PDFs render with: data: URIs and the project's own static files.

A document's text can come from a merchant or a buyer; an <img> or a stylesheet in it
must not make the server reach the network (SSRF) or read arbitrary local files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.apps import apps
from django.conf import settings


def static_roots() -> list[Path]:
    """Every folder the project's static files come from, resolved."""
    roots = [Path(settings.STATIC_ROOT)]
    roots += [
        Path(entry[1] if isinstance(entry, tuple) else entry)
        for entry in getattr(settings, "STATICFILES_DIRS", [])
    ]
    roots += [Path(config.path) / "static" for config in apps.get_app_configs()]
    return [root.resolve() for root in roots if root.is_dir()]


def is_static_file(url: str) -> bool:
    """Whether a file: URL names an existing file inside a static folder (no ../ escape)."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(unquote(parts.path)).resolve()
    return path.is_file() and any(path.is_relative_to(root) for root in static_roots())


def static_only_fetcher() -> Any:
    """A WeasyPrint fetcher that refuses every URL but data: and static files."""
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme != "data" and not is_static_file(url):
                raise ValueError(f"Refused to fetch {url[:200]!r}: not a static file.")
            return super().fetch(url, headers)

    return StaticOnlyFetcher(allowed_protocols={"data", "file"}, allow_redirects=False)
