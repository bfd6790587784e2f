"""What a registration through the API costs, the caches that make it cheap, the rate limit."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification.models import MembershipPlan
from guarantees.keys import create_api_key, revoke_api_key
from guarantees.models import ApiKey, CoverCap, Guarantee
from tests.guarantees.helpers import api_order, post_registration

pytestmark = pytest.mark.django_db


def _post(client, secret, reference="ORD-1", key=None, **changes):
    body = api_order(order_reference=reference, amount="149.90", **changes)
    return post_registration(client, secret, body, key=key)


@pytest.mark.django_db(transaction=True)
def test_a_registration_on_a_warm_cache_takes_at_most_three_sql_statements(
    client, world, admin_user, monkeypatch
):
    """Key, shop, mark and cap come from the cache; the guarantee, its email and the stored
    answer from one INSERT, which makes the number too. Transactional, as in production:
    the request's transaction is the outermost one (BEGIN, COMMIT count)."""
    from certification.marks import issue_mark
    from notifications.tasks import send_outgoing_message

    issue_mark(shop=world.shop, actor=admin_user)
    sent: list[int] = []  # the email goes to the worker, whose statements are not the request's
    monkeypatch.setattr(send_outgoing_message, "delay", sent.append)
    _key, secret = create_api_key(shop=world.shop, actor=world.alice, name="checkout")
    assert _post(client, secret, "WARM-1").status_code == 201
    with CaptureQueriesContext(connection) as queries:
        response = _post(client, secret, "ORD-2")
    assert response.status_code == 201, response.content
    statements = [q["sql"].split("; ")[-1] for q in queries]
    assert len(statements) <= 3, "\n".join(statements)
    assert not any("nextval" in sql or "covercap" in sql for sql in statements)
    assert len(sent) == 2  # the buyer's email is still queued after commit


def test_a_revoked_key_is_refused_at_once_though_it_was_cached(
    client, api_key, world, django_capture_on_commit_callbacks
):
    assert _post(client, api_key, "ORD-1").status_code == 201  # the key is now cached
    with django_capture_on_commit_callbacks(execute=True):
        revoke_api_key(key=ApiKey.objects.get(), actor=world.alice)
    response = _post(client, api_key, "ORD-2")
    assert response.status_code == 401
    assert Guarantee.objects.count() == 1


def test_last_used_is_written_at_most_once_a_minute(client, api_key):
    assert _post(client, api_key, "ORD-1").status_code == 201
    first = ApiKey.objects.get().last_used_at
    assert first is not None
    assert _post(client, api_key, "ORD-2").status_code == 201
    assert ApiKey.objects.get().last_used_at == first


def test_a_cap_changed_in_the_admin_applies_to_the_next_registration(
    client, api_key, django_capture_on_commit_callbacks
):
    assert _post(client, api_key, "ORD-1").json()["cover_amount"] == "100.00"
    cap = CoverCap.objects.get(plan="basic", currency="EUR")
    cap.cap = Decimal("150.00")
    with django_capture_on_commit_callbacks(execute=True):
        cap.save()  # what the admin does
    assert _post(client, api_key, "ORD-2").json()["cover_amount"] == "149.90"


def test_a_shop_moved_to_another_plan_gets_its_cover_at_once(
    client, world, active_mark, django_capture_on_commit_callbacks
):
    _key, secret = create_api_key(shop=world.shop, actor=world.alice, name="checkout")
    refused = _post(client, secret, "ORD-1", plan="plus")  # alice's shop is on Basic
    assert (refused.status_code, refused.json()["field"]) == (422, "plan")
    world.shop.plan = MembershipPlan.objects.get(code="plus")
    with django_capture_on_commit_callbacks(execute=True):
        world.shop.save(update_fields=["plan"])
    assert _post(client, secret, "ORD-2", plan="plus").status_code == 201


def test_a_suspended_mark_stops_registrations_at_once(
    client, api_key, active_mark, admin_user, django_capture_on_commit_callbacks
):
    from certification.marks import suspend_mark

    assert _post(client, api_key, "ORD-1").status_code == 201  # the shop's state is cached
    with django_capture_on_commit_callbacks(execute=True):
        suspend_mark(mark=active_mark, actor=admin_user, reason="unpaid_fees")
    response = _post(client, api_key, "ORD-2")
    assert (response.status_code, response.json()["code"]) == (409, "conflict")


def test_too_many_requests_with_one_key_are_a_429_with_retry_after(
    client, api_key, world, certified, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "2/60"}
    _key, other = create_api_key(shop=certified, actor=world.alice, name="other system")
    assert _post(client, api_key, "ORD-1").status_code == 201
    number = Guarantee.objects.get().number
    read = client.get(f"/api/v1/guarantees/{number}", HTTP_AUTHORIZATION=f"Bearer {api_key}")
    assert read.status_code == 200  # reads count too
    limited = _post(client, api_key, "ORD-2")
    assert limited.status_code == 429
    assert limited.json() == {
        "detail": limited.json()["detail"],
        "field": None,
        "code": "rate_limited",
    }
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert Guarantee.objects.count() == 1
    assert _post(client, other, "ORD-3").status_code == 201  # another key has its own count


def test_the_schema_declares_the_429(client):
    paths = client.get("/api/schema/").json()["paths"]
    assert "429" in paths["/api/v1/guarantees"]["post"]["responses"]
    assert "429" in paths["/api/v1/guarantees/{number}"]["get"]["responses"]
