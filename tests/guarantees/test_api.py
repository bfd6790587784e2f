import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from guarantees.keys import create_api_key, revoke_api_key
from guarantees.models import ApiKey, Guarantee
from tests.guarantees.helpers import api_order, post_registration

pytestmark = pytest.mark.django_db


def _body(**changes):
    return api_order(buyer_name="Bruno Buyer", **changes)


_post = post_registration


def test_a_shop_registers_a_purchase_and_reads_it_back(client, api_key):
    response = _post(client, api_key, _body(plan="plus", expected_delivery_date=None))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["order_reference"] == "ORD-77"
    assert body["amount"] == "59.90"
    assert body["cover_amount"] == "59.90"
    assert body["state"] == "active"
    assert re.fullmatch(rf"G-{timezone.localdate().year}-\d{{7}}", body["number"])
    assert Guarantee.objects.get().number == body["number"]  # as the INSERT returned it
    again = client.get(
        f"/api/v1/guarantees/{body['number']}", HTTP_AUTHORIZATION=f"Bearer {api_key}"
    )
    assert again.status_code == 200
    assert again.json()["number"] == body["number"]


def test_the_same_idempotency_key_and_body_replay_the_first_answer(client, api_key):
    first = _post(client, api_key, _body(), key="k-1")
    second = _post(client, api_key, _body(), key="k-1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert Guarantee.objects.count() == 1
    different = _post(client, api_key, _body(amount="60.00"), key="k-1")
    assert different.status_code == 422
    assert different.json()["field"] == "Idempotency-Key"


def test_errors_are_replayed_too_and_duplicates_are_409(client, api_key):
    assert _post(client, api_key, _body(), key="a").status_code == 201
    duplicate = _post(client, api_key, _body(), key="b")
    assert duplicate.status_code == 409
    assert duplicate.json()["field"] == "order_reference"
    assert _post(client, api_key, _body(), key="b").json() == duplicate.json()


def test_missing_idempotency_key_and_bad_fields_are_4xx_naming_the_field(client, api_key):
    response = client.post(
        "/api/v1/guarantees",
        _body(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "Idempotency-Key"
    bad = _post(client, api_key, _body(purchase_date="yesterday"))
    assert bad.status_code == 422
    assert bad.json()["field"] == "purchase_date"
    missing = _post(client, api_key, {"amount": "1.00"})
    assert missing.status_code == 422
    assert missing.json()["field"]
    amount = _post(client, api_key, _body(amount="-1"))
    assert (amount.status_code, amount.json()["field"]) == (422, "amount")
    assert not Guarantee.objects.exists()


def test_unknown_or_revoked_keys_get_401(client, api_key, world):
    assert _post(client, "tmk_nope_nope", _body()).status_code == 401
    key = ApiKey.objects.get()
    revoke_api_key(key=key, actor=world.alice)
    response = _post(client, api_key, _body())
    assert response.status_code == 401
    assert response.json()["field"] == "Authorization"


def test_a_key_acts_for_its_own_shop_only(client, api_key, world, admin_user):
    from certification.marks import issue_mark

    issue_mark(shop=world.charlie_shop, actor=admin_user)
    _key, other_secret = create_api_key(shop=world.charlie_shop, actor=world.charlie, name="other")
    number = _post(client, api_key, _body()).json()["number"]
    response = client.get(
        f"/api/v1/guarantees/{number}", HTTP_AUTHORIZATION=f"Bearer {other_secret}"
    )
    assert response.status_code == 404


def test_only_people_with_the_cases_right_create_keys(world, certified):
    from core.errors import NotPermitted

    with pytest.raises(NotPermitted):
        create_api_key(shop=certified, actor=world.charlie, name="x")
    key, secret = create_api_key(shop=certified, actor=world.bob, name="bob's")  # bob has cases
    assert secret.startswith("tmk_")
    assert secret not in key.key_hash


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_requests_with_one_key_register_one_guarantee(world, admin_user):
    """The second waits on the unique index for the first to commit, then replays its answer."""
    from certification.marks import issue_mark
    from certification.models import MembershipPlan

    issue_mark(shop=world.shop, actor=admin_user)
    _key, secret = create_api_key(shop=world.shop, actor=world.alice, name="race")
    barrier = threading.Barrier(10)
    answers: list[tuple[int, dict]] = []

    def send() -> None:
        try:
            barrier.wait()
            response = _post(Client(), secret, _body(), key="same-key")
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Guarantee.objects.count() == 1
    assert len(answers) == 10
    assert {status for status, _body in answers} == {201}, answers
    assert all(body == answers[0][1] for _status, body in answers)
    assert answers[0][1]["number"] == Guarantee.objects.get().number
    assert MembershipPlan.objects.exists()


def test_an_unexpected_error_stores_no_answer_so_the_same_key_can_be_retried(
    client, api_key, monkeypatch
):
    from guarantees import api
    from guarantees.models import IdempotentRequest

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(api, "register_guarantee", broken)
    client.raise_request_exception = False
    assert _post(client, api_key, _body(), key="retry-me").status_code == 500
    assert not IdempotentRequest.objects.exists()
    monkeypatch.undo()
    assert _post(client, api_key, _body(), key="retry-me").status_code == 201
    assert Guarantee.objects.count() == 1


def test_idempotency_answers_are_kept_at_least_a_day_then_purged(client, api_key, settings):
    from datetime import timedelta

    from guarantees.idempotency import purge_old_requests
    from guarantees.models import IdempotentRequest

    settings.IDEMPOTENCY_KEEP_HOURS = 1  # asking for less than a day still keeps a day
    first = _post(client, api_key, _body(), key="keep-me")
    now = timezone.now()
    assert purge_old_requests(now=now + timedelta(hours=23)) == 0
    assert _post(client, api_key, _body(), key="keep-me").json() == first.json()
    assert purge_old_requests(now=now + timedelta(hours=25)) == 1
    assert not IdempotentRequest.objects.exists()


def test_keys_are_created_shown_once_and_revoked_from_the_portal(client, certified, world):
    from django.urls import reverse

    client.force_login(world.bob)  # cases right on this shop
    response = client.post(
        reverse("portal:api_key_create", args=[certified.public_id]), {"name": "ERP"}, follow=True
    )
    page = response.content.decode()
    key = ApiKey.objects.get(name="ERP")
    assert f"tmk_{key.prefix}_" in page  # shown this once, in the message
    detail = client.get(reverse("portal:shop_detail", args=[certified.public_id])).content.decode()
    assert "ERP" in detail
    assert detail.count(f"tmk_{key.prefix}_") == 1  # only the prefix from now on
    assert "…" in detail
    revoke = reverse("portal:api_key_revoke", args=[certified.public_id, key.pk])
    client.force_login(world.charlie)
    assert client.post(revoke).status_code == 404
    client.force_login(world.alice)
    client.post(revoke)
    key.refresh_from_db()
    assert key.revoked_at is not None
