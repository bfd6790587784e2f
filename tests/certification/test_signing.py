import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from certification.documents import document_is_genuine, store_verification_document
from certification.signing import b64url_decode, verify_digest

pytestmark = pytest.mark.django_db


def test_each_document_is_signed_and_checks_out_offline_with_the_published_key(client, world):
    pdf = b"%PDF-1.7 a verification document"
    document = store_verification_document(shop=world.shop, pdf=pdf, language="de", kind="findings")
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    assert document.version == 1
    keys = client.get("/.well-known/trustmark-keys.json").json()["keys"]
    assert keys[0]["kid"] == document.key_id
    public = Ed25519PublicKey.from_public_bytes(b64url_decode(keys[0]["public_key"]))
    public.verify(b64url_decode(document.signature), document.sha256.encode())  # raises if bad
    assert document_is_genuine(document, pdf)
    with document.file.open("rb") as stored:
        assert stored.read() == pdf


def test_a_tampered_document_is_reported_as_not_genuine(world):
    pdf = b"%PDF-1.7 original"
    document = store_verification_document(shop=world.shop, pdf=pdf, language="de", kind="findings")
    assert not document_is_genuine(document, pdf + b" changed")
    assert not verify_digest(hashlib.sha256(b"other").hexdigest(), document.signature)


def test_versions_count_up_per_shop_and_documents_are_immutable(world):
    from django.db import DatabaseError, transaction

    from certification.models import VerificationDocument

    first = store_verification_document(shop=world.shop, pdf=b"one", language="de", kind="findings")
    second = store_verification_document(
        shop=world.shop, pdf=b"two", language="de", kind="decision"
    )
    again = store_verification_document(shop=world.shop, pdf=b"two", language="de", kind="decision")
    assert (first.version, second.version, again.pk) == (1, 2, second.pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        VerificationDocument.objects.filter(pk=first.pk).update(kind="decision")
    with pytest.raises(DatabaseError), transaction.atomic():
        VerificationDocument.objects.filter(pk=first.pk).delete()


def test_documents_download_only_for_the_documents_right(client, world, admin_user):
    from django.urls import reverse

    from certification.access import Right
    from certification.models import Area
    from certification.team import set_rights

    store_verification_document(shop=world.shop, pdf=b"%PDF doc", language="de", kind="findings")
    url = reverse("portal:document_download", args=[world.shop.public_id, 1])
    for person, status in (
        (world.alice, 200),
        (world.bob, 404),
        (world.charlie, 404),
        (admin_user, 200),
    ):
        client.force_login(person)
        assert client.get(url).status_code == status, person
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.DOCUMENTS, world.shop.pk)},
    )
    client.force_login(world.bob)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF doc"


def test_the_documented_offline_check_script_accepts_ours_and_refuses_a_forgery(client, world):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "docs" / "check_document.py"
    spec = importlib.util.spec_from_file_location("check_document", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    pdf = b"%PDF-1.7 for the offline check"
    document = store_verification_document(shop=world.shop, pdf=pdf, language="en", kind="findings")
    keys = client.get("/.well-known/trustmark-keys.json").json()
    assert module.check(pdf, document.signature, keys)
    assert not module.check(pdf + b"!", document.signature, keys)
