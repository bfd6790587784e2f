"""The hostile corpus (tests/faults/uploads/) posted through the claim page: each file is
refused with a clear message and nothing is stored, or stored harmlessly."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.errors import DomainError
from disputes.models import Attachment, Claim
from guarantees.links import page_token
from tests.factories import png_bytes

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parent / "uploads"
PNG = png_bytes()


@pytest.fixture(autouse=True)
def _own_store(settings, tmp_path):
    """This file's own private store: other test files write claims at the same time."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


def _stored_files() -> list[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "claims"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def _post(client, guarantee, upload: SimpleUploadedFile):
    return client.post(
        reverse("claims:new", args=[page_token(guarantee.number)]),
        {
            "reason": "not_delivered",
            "amount": "120.00",
            "description": "Nothing arrived in three weeks.",
            "files": upload,
        },
    )


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", b"\x00" * (20 * 1024 * 1024))
    return buffer.getvalue()


def _corpus(name: str, as_name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(as_name or name, (CORPUS / name).read_bytes(), "application/pdf")


ONLY = "Only PDF, PNG, JPEG, WebP or plain text files are accepted."
REFUSED = [
    (lambda: _corpus("svg_with_script.svg"), ONLY),
    (lambda: _corpus("html_named.pdf"), ONLY),
    (lambda: _corpus("fake.jpg"), "This file is not a readable picture."),
    (lambda: _corpus("pdf_with_javascript.pdf"), "PDF files with scripts or embedded files"),
    (lambda: _corpus("pdf_with_escaped_javascript.pdf"), "PDF files with scripts or embedded"),
    (lambda: SimpleUploadedFile("bomb.pdf", _zip_bomb()), ONLY),
    (lambda: _corpus("empty.png"), "file is empty."),
    (
        lambda: SimpleUploadedFile(
            "big.png", PNG + b"\x00" * settings.CLAIM_ATTACHMENT_MAX_BYTES, "image/png"
        ),
        "The file is too large",
    ),
]


def test_every_hostile_file_is_refused_with_a_clear_message_and_nothing_is_stored(
    client, guarantee
):
    """One case for the whole corpus: the guarantee fixture is the slow part."""
    before = _stored_files()
    for make, message in REFUSED:
        response = _post(client, guarantee, make())
        assert response.status_code == 400, message
        assert message in " ".join(response.context["form"].errors["files"])
        assert not Claim.objects.exists()
        assert not Attachment.objects.exists()
        assert _stored_files() == before


def test_a_polyglot_with_a_hostile_name_is_re_encoded_stored_under_a_random_name_and_inert(
    client, guarantee
):
    hostile = _corpus("polyglot.jpg", as_name="../../evil\x00\x1b\r\n<script>.html.jpg")
    response = _post(client, guarantee, hostile)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    stored = Path(attachment.file.path).resolve()
    claim_dir = Path(settings.PRIVATE_MEDIA_ROOT) / "claims" / str(attachment.message.claim_id)
    assert stored.parent == claim_dir.resolve()
    assert "evil" not in stored.name
    assert stored.suffix == ".jpg"
    assert all(char.isprintable() and char not in "/\\<>" for char in attachment.name)
    download = client.get(
        reverse(
            "claims:attachment",
            args=[page_token(guarantee.number), attachment.message.claim.number, attachment.pk],
        )
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "image/jpeg"
    # Re-encoded: the picture stays, the markup, the comment and the EXIF (GPS) are gone.
    served = b"".join(download.streaming_content)
    assert b"<script" not in served
    assert b"<html" not in served
    with Image.open(io.BytesIO(served)) as picture:
        assert picture.size == (8, 8)
        assert not picture.getexif()
        assert "comment" not in picture.info
    assert attachment.size == len(served)


def test_audit_evidence_refuses_a_scripted_pdf_and_stores_the_rest_under_a_random_name(
    in_review, auditor
):
    from audits import services as audits
    from core.errors import DomainError

    finding = in_review.findings.first()
    with pytest.raises(DomainError, match="PDF files with scripts"):
        audits.record_finding(
            finding=finding,
            actor=auditor,
            result="met",
            evidence_file=_corpus("pdf_with_javascript.pdf"),
        )
    finding.refresh_from_db()
    assert finding.evidence_file.name == ""
    named = SimpleUploadedFile("../../x.pdf", PNG, content_type="application/pdf")
    audits.record_finding(finding=finding, actor=auditor, result="met", evidence_file=named)
    finding.refresh_from_db()
    stored = Path(finding.evidence_file.path).resolve()
    assert stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve() / "evidence")
    assert stored.suffix == ".png"  # the content's type, not the client's name


def _picture(fmt: str) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SnoopCam"
    Image.new("RGB", (4, 4), (0, 90, 200)).save(out, format=fmt, exif=exif)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("screenshot.webp", lambda: _picture("WEBP"), "image/webp"),
        ("receipt.png", lambda: _picture("PNG"), "image/png"),
        ("notes.txt", lambda: "Colis jamais reçu.\nSuivi: 1Z999\n".encode(), "text/plain"),
    ],
)
def test_webp_png_and_plain_text_are_accepted_by_content(client, guarantee, name, content, kind):
    upload = SimpleUploadedFile(name.replace(".", "_") + ".bin", content(), "application/x-junk")
    assert _post(client, guarantee, upload).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.content_type == kind
    stored = Path(attachment.file.path).read_bytes()
    if kind.startswith("image/"):
        with Image.open(io.BytesIO(stored)) as picture:
            assert not picture.getexif()
    else:
        assert stored == content()


@pytest.mark.parametrize(
    "content",
    [b"\x00\x01binary", "caf\xe9".encode("latin-1"), b"  <?xml version='1.0'?><a/>"],
    ids=["control characters", "not UTF-8", "markup"],
)
def test_what_is_not_plain_text_is_refused_as_text(client, guarantee, content):
    response = _post(client, guarantee, SimpleUploadedFile("note.txt", content, "text/plain"))
    assert response.status_code == 400
    assert ONLY in " ".join(response.context["form"].errors["files"])
    assert not Attachment.objects.exists()


def test_a_case_holds_a_bounded_number_of_files(guarantee, buyer, settings):
    from disputes import services

    settings.CLAIM_ATTACHMENTS_PER_CASE = 3
    notes = [SimpleUploadedFile(f"n{i}.txt", b"proof", "text/plain") for i in range(2)]
    claim = services.file_claim(
        actor=buyer,
        guarantee=guarantee,
        reason="not_delivered",
        amount="120.00",
        description="Nothing came.",
        files=notes,
    )
    more = [SimpleUploadedFile(f"m{i}.txt", b"more", "text/plain") for i in range(2)]
    with pytest.raises(DomainError, match="at most 3 files; 1 more can be added"):
        services.post_message(actor=buyer, claim=claim, body="Two more.", files=more)
    assert Attachment.objects.filter(message__claim=claim).count() == 2
    assert claim.messages.count() == 1  # the refused post left no message behind
    services.post_message(actor=buyer, claim=claim, body="One more.", files=more[:1])
    assert Attachment.objects.filter(message__claim=claim).count() == 3
