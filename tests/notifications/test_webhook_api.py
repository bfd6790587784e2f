"""The webhook endpoints over the shop API: a shop key manages its own shop's endpoints,
another shop's or member's endpoint is a 404, bad input a 422 naming the field, the secret
shown on create and rotation only; the schema declares it all."""

from __future__ import annotations

import json

import pytest
from standardwebhooks.webhooks import Webhook

from certification import integrations as endpoints
from guarantees.keys import create_api_key
from notifications.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

BASE = "/api/v1/webhook-endpoints"


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


def _key(shop, owner) -> str:
    return create_api_key(shop=shop, actor=owner, name="erp")[1]


@pytest.fixture
def keys(world):
    return {
        "shop": _key(world.shop, world.alice),
        "other_shop": _key(world.other_shop, world.alice),
        "charlie": _key(world.charlie_shop, world.charlie),
    }


def _call(client, method, path, key, body=None, idem="k1"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}", "HTTP_IDEMPOTENCY_KEY": idem}
    kwargs = {"content_type": "application/json", **headers}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    return getattr(client, method)(path, **kwargs)


def _create(client, key, url="https://hooks.example/in", types=("claim.filed",), idem="k1"):
    return _call(client, "post", BASE, key, {"url": url, "event_types": list(types)}, idem)


def test_create_shows_the_secret_once_and_reads_never(client, world, keys):
    made = _create(client, keys["shop"])
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["secret"].startswith("whsec_")
    assert body["shop_public_id"] == world.shop.public_id
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert list(endpoint.shops.all()) == [world.shop]
    assert endpoint.member == world.member
    read = _call(client, "get", f"{BASE}/{body['id']}", keys["shop"])
    assert read.status_code == 200
    assert "secret" not in read.json()
    listed = _call(client, "get", BASE, keys["shop"]).json()
    assert [e["id"] for e in listed] == [body["id"]]
    assert all("secret" not in e for e in listed)


def test_the_same_idempotency_key_and_body_replay_the_first_answer(client, keys):
    first = _create(client, keys["shop"], idem="same")
    again = _create(client, keys["shop"], idem="same")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert WebhookEndpoint.objects.count() == 1
    other_body = _create(client, keys["shop"], url="https://b.example/in", idem="same")
    assert other_body.status_code == 422
    assert other_body.json()["field"] == "Idempotency-Key"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://hooks.example/in", "event_types": ["claim.filed"]}, "url"),
        ({"url": "https://u:p@hooks.example/in", "event_types": ["claim.filed"]}, "url"),
        ({"url": "https://127.0.0.1/in", "event_types": ["claim.filed"]}, "url"),
        ({"url": "https://10.0.0.8/in", "event_types": ["claim.filed"]}, "url"),
        ({"url": "https://hooks.example/in", "event_types": ["claim.lost"]}, "event_types"),
        ({"url": "https://hooks.example/in", "event_types": []}, "event_types"),
        ({"event_types": ["claim.filed"]}, "url"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(
    client, keys, settings, body, field
):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    answer = _call(client, "post", BASE, keys["shop"], body)
    assert answer.status_code == 422, answer.content
    assert answer.json()["field"] == field
    assert not WebhookEndpoint.objects.exists()


def test_another_shops_or_members_endpoint_is_a_404(client, world, keys):
    mine = _create(client, keys["shop"]).json()["id"]
    member_wide = endpoints.add_endpoint(
        actor=world.alice,
        member=world.member,
        url="https://all.example/in",
        event_types=["claim.filed"],
    )
    for key in (keys["other_shop"], keys["charlie"]):
        assert _call(client, "get", BASE, key).json() == []
        for method, path, body in (
            ("get", f"{BASE}/{mine}", None),
            ("patch", f"{BASE}/{mine}", {"enabled": False}),
            ("delete", f"{BASE}/{mine}", None),
            ("post", f"{BASE}/{mine}/rotate-secret", None),
            ("post", f"{BASE}/{mine}/ping", None),
            ("get", f"{BASE}/{mine}/attempts", None),
            ("post", f"{BASE}/{mine}/deliveries/1/redeliver", None),
        ):
            answer = _call(client, method, path, key, body)
            assert answer.status_code == 404, (method, path)
            assert answer.json()["code"] == "not_found"
    # A shop key does not see the member-wide endpoint either (managed in the portal).
    assert _call(client, "get", f"{BASE}/{member_wide.pk}", keys["shop"]).status_code == 404
    assert WebhookEndpoint.objects.get(pk=mine).enabled
    assert WebhookEndpoint.objects.count() == 2


def test_update_delete_and_a_missing_key(client, keys):
    mine = _create(client, keys["shop"]).json()["id"]
    changed = _call(
        client,
        "patch",
        f"{BASE}/{mine}",
        keys["shop"],
        {"event_types": ["claim.filed", "review.published"], "enabled": False},
    )
    assert changed.status_code == 200
    assert changed.json()["event_types"] == ["claim.filed", "review.published"]
    assert changed.json()["enabled"] is False
    bad = _call(client, "patch", f"{BASE}/{mine}", keys["shop"], {"url": "ftp://x.example"})
    assert (bad.status_code, bad.json()["field"]) == (422, "url")
    assert client.get(BASE).status_code == 401
    assert _call(client, "delete", f"{BASE}/{mine}", keys["shop"]).status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_ping_lands_in_the_log_verified_and_is_redelivered_with_the_same_id(
    client, keys, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    made = _create(client, keys["shop"], url=httpserver.url_for("/hook")).json()
    with django_capture_on_commit_callbacks(execute=True):
        pinged = _call(client, "post", f"{BASE}/{made['id']}/ping", keys["shop"])
    assert pinged.status_code == 202
    delivery_id = pinged.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        again = _call(
            client, "post", f"{BASE}/{made['id']}/deliveries/{delivery_id}/redeliver", keys["shop"]
        )
    assert again.status_code == 202
    ids = set()
    for request, _response in httpserver.log:
        headers = {k.lower(): v for k, v in request.headers.items()}
        assert Webhook(made["secret"]).verify(request.get_data(as_text=True), headers)
        ids.add(headers["webhook-id"])
    assert len(httpserver.log) == 2
    assert ids == {pinged.json()["event_id"]}
    log = _call(client, "get", f"{BASE}/{made['id']}/attempts", keys["shop"]).json()
    assert [(a["event_type"], a["status_code"], a["delivered"]) for a in log] == [
        ("ping", 200, True),
        ("ping", 200, True),
    ]
    assert (
        _call(client, "get", f"{BASE}/{made['id']}/attempts?outcome=failed", keys["shop"]).json()
        == []
    )
    unknown = _call(client, "get", f"{BASE}/{made['id']}/attempts?event_type=x.y", keys["shop"])
    assert (unknown.status_code, unknown.json()["field"]) == (422, "event_type")
    assert WebhookDelivery.objects.get(pk=delivery_id).state == "delivered"


def test_rotation_returns_the_new_secret_and_both_verify(
    client, keys, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    made = _create(client, keys["shop"], url=httpserver.url_for("/hook")).json()
    rotated = _call(client, "post", f"{BASE}/{made['id']}/rotate-secret", keys["shop"]).json()
    assert rotated["secret"] != made["secret"]
    assert rotated["previous_secret_valid_until"]
    with django_capture_on_commit_callbacks(execute=True):
        _call(client, "post", f"{BASE}/{made['id']}/ping", keys["shop"])
    [(request, _response)] = httpserver.log
    headers = {k.lower(): v for k, v in request.headers.items()}
    for secret in (made["secret"], rotated["secret"]):
        assert Webhook(secret).verify(request.get_data(as_text=True), headers)["type"] == "ping"


def test_the_schema_declares_the_endpoints_and_their_errors(client):
    document = client.get("/api/schema/").json()
    paths = document["paths"]
    expected = {
        ("/api/v1/webhook-endpoints", "get"): {"200", "401", "429"},
        ("/api/v1/webhook-endpoints", "post"): {"201", "401", "422", "429"},
        ("/api/v1/webhook-endpoints/{endpoint_id}", "get"): {"200", "401", "404", "429"},
        ("/api/v1/webhook-endpoints/{endpoint_id}", "patch"): {"200", "401", "404", "422", "429"},
        ("/api/v1/webhook-endpoints/{endpoint_id}", "delete"): {"204", "401", "404", "429"},
        ("/api/v1/webhook-endpoints/{endpoint_id}/rotate-secret", "post"): {"200", "404"},
        ("/api/v1/webhook-endpoints/{endpoint_id}/attempts", "get"): {"200", "404", "422"},
        (
            "/api/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/redeliver",
            "post",
        ): {"202", "404", "409"},
    }
    for (path, method), statuses in expected.items():
        declared = set(paths[path][method]["responses"])
        assert statuses <= declared, (path, method, declared)
        assert paths[path][method].get("security"), (path, method)
