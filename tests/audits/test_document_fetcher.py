"""PDFs render without reaching the network or reading files outside the static folders."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from core.pdf_fetcher import is_static_file, static_only_fetcher


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def remote(httpserver):
    httpserver.expect_request("/x.png").respond_with_data(_png(), content_type="image/png")
    httpserver.expect_request("/x.css").respond_with_data("p{color:red}", content_type="text/css")
    return httpserver


def _page(server) -> str:
    return (
        f'<link rel="stylesheet" href="{server.url_for("/x.css")}">'
        f'<p>Message <img src="{server.url_for("/x.png")}"></p>'
    )


def test_an_image_in_a_message_is_not_fetched_and_the_pdf_still_renders(remote):
    pdf = HTML(string=_page(remote), url_fetcher=static_only_fetcher()).write_pdf()
    assert pdf.startswith(b"%PDF-")
    assert remote.log == []


def test_the_server_would_have_been_reached_by_an_open_fetcher(remote):
    """The control: the same page with WeasyPrint's default fetcher does reach the server."""
    HTML(string=_page(remote), url_fetcher=URLFetcher()).write_pdf()
    assert len(remote.log) == 2


@pytest.mark.django_db
def test_the_audit_document_does_not_fetch_what_a_merchant_wrote(in_review, remote):
    from audits.document import render_pdf

    finding = in_review.findings.first()
    finding.merchant_answer = f'<img src="{remote.url_for("/x.png")}">'
    finding.save(update_fields=["merchant_answer"])
    pdf, _language = render_pdf(in_review, "findings")
    assert pdf.startswith(b"%PDF-")
    assert remote.log == []


def test_only_files_inside_the_static_folders_are_allowed(tmp_path):
    css = Path(settings.BASE_DIR, "portal", "static", "portal", "site.css").resolve()
    outside = tmp_path / "secret.png"
    outside.write_bytes(_png())
    assert is_static_file(css.as_uri())
    assert not is_static_file(outside.as_uri())
    assert not is_static_file(f"file://{css.parent}/../../../config/settings.py")
    assert not is_static_file("file:///etc/passwd")
    fetcher = static_only_fetcher()
    with pytest.raises(ValueError, match="not a static file"):
        fetcher.fetch(outside.as_uri())
    with pytest.raises(ValueError, match="not a static file"):
        fetcher.fetch("http://127.0.0.1:1/x.png")
    assert fetcher.fetch(css.as_uri()).status in (None, 200)
