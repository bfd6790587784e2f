"""Every signed link serves one purpose, expires where it should, and carries enough secret.

Django's signing compares signatures with constant_time_compare; tokens looked up in the
database are random with at least 128 bits."""

import base64
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import signing
from django.http import Http404
from django.utils import timezone
from freezegun import freeze_time

from certification.models.members import new_public_id
from certification.team import TOKEN_SALT, read_invitation_token
from core.errors import DomainError
from guarantees.buyer import pending_purchase
from guarantees.links import (
    CONFIRM_SALT,
    confirm_token,
    data_from_confirm_token,
    number_from_page_token,
    page_token,
)
from reviews import uploads
from reviews.access import author_token, review_from_author_token
from reviews.models.invitations import new_token

PURCHASE = {"shop": "abc", "email": "buyer@example.com", "reference": "R-1"}


def _bits(token: str) -> int:
    return len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8


def test_random_tokens_carry_at_least_128_bits():
    assert min(_bits(new_token()), _bits(new_public_id())) >= 128
    assert len({new_token() for _ in range(50)}) == 50


def test_signatures_carry_at_least_128_bits():
    signature = signing.Signer(salt="x").signature("value")
    assert _bits(signature) >= 128


def test_a_team_invitation_token_is_refused_once_expired(settings):
    token = signing.dumps({"i": 1, "e": "a@example.com"}, salt=TOKEN_SALT)
    later = timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS, hours=1)
    with freeze_time(later), pytest.raises(DomainError) as refused:
        read_invitation_token(token)
    assert refused.value.code == "expired"


def test_a_token_for_another_purpose_is_not_a_team_invitation():
    with pytest.raises(DomainError) as refused:
        read_invitation_token(confirm_token({"i": 1, "e": "a@example.com"}))
    assert refused.value.code == "invalid"


def test_a_purchase_confirmation_expires(settings):
    token = confirm_token(PURCHASE)
    assert data_from_confirm_token(token) == PURCHASE
    later = timezone.now() + timedelta(hours=settings.GUARANTEE_CONFIRM_HOURS, minutes=1)
    with freeze_time(later), pytest.raises(DomainError) as refused:
        pending_purchase(token)
    assert refused.value.code == "expired"


def test_a_purchase_confirmation_serves_one_purpose():
    team = signing.dumps(PURCHASE, salt=TOKEN_SALT)
    with pytest.raises(DomainError) as refused:
        pending_purchase(team)
    assert refused.value.code == "bad_signature"
    with pytest.raises(signing.BadSignature):
        data_from_confirm_token(page_token("G-1"))


def test_the_guarantee_page_and_the_review_author_links_are_not_interchangeable():
    assert number_from_page_token(page_token("G-1")) == "G-1"
    assert number_from_page_token(author_token(7)) is None
    assert number_from_page_token(signing.dumps("G-1", salt=CONFIRM_SALT)) is None
    with pytest.raises(Http404):
        review_from_author_token(page_token("7"))
    with pytest.raises(Http404):
        review_from_author_token(author_token(7)[:-2] + "xx")


def test_a_review_upload_preview_expires_and_serves_one_purpose():
    shop, user = SimpleNamespace(pk=1), SimpleNamespace(pk=2)
    token = uploads.sign_rows(shop, user, [])
    assert uploads.unsign_rows(token, shop=shop, user=user) == []
    later = timezone.now() + timedelta(seconds=uploads.MAX_AGE + 60)
    with freeze_time(later), pytest.raises(DomainError, match="too old"):
        uploads.unsign_rows(token, shop=shop, user=user)
    with pytest.raises(DomainError):
        uploads.unsign_rows(confirm_token({"shop": 1, "user": 2, "rows": []}), shop=shop, user=user)
    with pytest.raises(DomainError):
        uploads.unsign_rows(token, shop=SimpleNamespace(pk=3), user=user)
