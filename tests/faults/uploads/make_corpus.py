"""Writes the small hostile upload corpus next to this script (run it again to refresh).

The zip bomb and the oversized file are made at test time (tests/faults/corpus.py)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent

CORPUS = {
    "svg_with_script.svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
    ),
    "html_named.pdf": b"<!doctype html><html><script>alert(1)</script></html>",
    "pdf_with_javascript.pdf": (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n"
        b"2 0 obj << /S /JavaScript /JS (app.alert\\(1\\)) >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    ),
    "pdf_with_escaped_javascript.pdf": (
        b"%PDF-1.4\n1 0 obj << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >> endobj\n%%EOF\n"
    ),
    # A JPEG header with markup where the picture should be: no picture decodes from it.
    "fake.jpg": (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        b"<html><script>alert(1)</script></html>\xff\xd9"
    ),
    "empty.png": b"",
}


def polyglot() -> bytes:
    """A real JPEG, with a GPS-bearing EXIF block, markup in a comment and an HTML page
    appended after its end: a picture to an image viewer, a page to a sniffing browser."""
    picture = Image.new("RGB", (8, 8), (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {2: (52.0, 31.0, 12.0)}  # GPSInfo: latitude
    exif[0x010F] = "SnoopCam"  # Make
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif, comment=b"<script>alert(2)</script>")
    return out.getvalue() + b"<html><script>alert(1)</script></html>"


def main() -> None:
    for name, content in {**CORPUS, "polyglot.jpg": polyglot()}.items():
        (HERE / name).write_bytes(content)


if __name__ == "__main__":
    main()
