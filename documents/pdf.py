"""Render HTML to PDF with WeasyPrint.

``render_pdf`` is the one entry point: it is used by generated documents and by the
case file export. It never fetches anything from the network: only ``data:`` URIs and
files under the project's static directory can be referenced (a template cannot make the
worker request internal URLs).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings

logger = logging.getLogger(__name__)


class PdfRenderError(Exception):
    """The HTML could not be turned into a PDF."""


def _allowed_roots() -> list[Path]:
    roots = [Path(settings.BASE_DIR) / "static"]
    roots.extend(Path(str(d)) for d in getattr(settings, "STATICFILES_DIRS", []))
    static_root = getattr(settings, "STATIC_ROOT", None)
    if static_root:
        roots.append(Path(str(static_root)))
    return [r.resolve() for r in roots]


def _safe_url_fetcher(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Only ``data:`` URIs and local static files; everything else is refused."""
    from weasyprint import default_url_fetcher

    parsed = urlparse(url)
    if parsed.scheme == "data":
        return default_url_fetcher(url)
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path)).resolve()
        for root in _allowed_roots():
            if path.is_relative_to(root) and path.is_file():
                return default_url_fetcher(url)
    raise ValueError(f"External resource refused in generated document: {url[:100]}")


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Return the PDF bytes for ``html`` (A4 unless the HTML's @page CSS says otherwise).

    ``base_url`` resolves relative links; only ``file:`` URLs inside the static directories
    and ``data:`` URIs are ever loaded.
    """
    from weasyprint import HTML

    if base_url is None:
        base_url = (Path(settings.BASE_DIR) / "static").resolve().as_uri() + "/"
    try:
        pdf = HTML(string=html, base_url=base_url, url_fetcher=_safe_url_fetcher).write_pdf()
    except Exception as exc:  # WeasyPrint raises many types; report one.
        logger.exception("PDF rendering failed")
        raise PdfRenderError(f"The PDF could not be produced: {exc}") from exc
    if not pdf:
        raise PdfRenderError("The PDF could not be produced: the renderer returned nothing.")
    return bytes(pdf)
