"""Schemathesis against /api/schema/: the schema is valid OpenAPI, no generated request
makes the API answer 5xx, and every answer is one the schema declares (status code,
content type, body).

The schema is loaded from the running app and every case is sent through its WSGI
handler, so requests reach the real PostgreSQL test database, authenticated with a real
API key of a certified shop with an active trust mark. Registrations are steered towards
valid purchases (see `flatmap_body`), so guarantees are stored and read back. Bounded for
CI: a fixed number of examples per operation, no deadline, derandomized (the same cases on
every run, so a failure reproduces).
"""

from __future__ import annotations

import datetime
import json
import uuid
from decimal import Decimal
from typing import Any

import jsonschema
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from certification.models import MembershipPlan
from config.wsgi import application
from guarantees.keys import create_api_key
from guarantees.models import Guarantee

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# 300 examples per operation: the whole file runs in about 20-25 s against PostgreSQL.
BOUNDED = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Loaded at collection: `schemathesis.pytest.from_fixture` (4.32) reads `Item._nodeid`,
# which pytest 9 no longer has. Serving the schema needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


def _days_ago(days: int) -> str:
    return (datetime.date.today() - datetime.timedelta(days=days)).isoformat()


VALID_PURCHASE = {
    # Unique (a repeated reference is a 409), then any text: the schema allows any string.
    "order_reference": st.builds(lambda u, t: u.hex[:12] + t, st.uuids(), st.text(max_size=20)),
    "buyer_name": st.text(max_size=40),
    "amount": st.decimals(Decimal("0.01"), Decimal("99999.99"), places=2).map(str),
    "currency": st.just("EUR"),
    "buyer_email": st.from_regex(r"[a-z]{1,10}@[a-z]{1,10}\.example", fullmatch=True),
    "purchase_date": st.integers(1, 28).map(_days_ago),
    "expected_delivery_date": st.none() | st.integers(-20, 0).map(_days_ago),
    "plan": st.sampled_from(["basic", "plus"]),
}


@schema.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy:
    """Make most fields of a registration valid, leaving at most two as generated.

    Purely random bodies never get past the first domain checks (the shop's currency, a
    date within 30 days), so the code that stores a guarantee would go untried.
    """
    if not isinstance(body, dict):
        return st.just(body)
    keep = st.sets(st.sampled_from(sorted(VALID_PURCHASE)), max_size=2)
    return keep.flatmap(
        lambda kept: st.fixed_dictionaries(
            {
                **{name: st.just(value) for name, value in body.items()},
                **{name: valid for name, valid in VALID_PURCHASE.items() if name not in kept},
            }
        )
    )


@pytest.fixture
def shop_key(world, active_mark) -> str:
    """alice's shop, certified on the Plus plan (EUR), with a real API key."""
    world.shop.plan = MembershipPlan.objects.get(code="plus")
    world.shop.save(update_fields=["plan"])
    _key, secret = create_api_key(shop=world.shop, actor=world.alice, name="schemathesis")
    return secret


def _headers(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", "Idempotency-Key": uuid.uuid4().hex}


def test_the_schema_is_valid_openapi_3_1_with_valid_json_schemas():
    schema.validate()  # the OpenAPI 3.1 meta-schema; raises on the first error
    for component in schema.raw_schema["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(component)


@pytest.mark.django_db(transaction=True)
@schema.include(path_regex="^/api/v1/marks/").parametrize()
@BOUNDED
def test_no_mark_lookup_gets_a_5xx_or_an_answer_the_schema_does_not_declare(case, active_mark):
    case.call_and_validate(checks=CHECKS)


@pytest.mark.django_db(transaction=True)
@schema.include(path_regex="^/api/v1/guarantees").parametrize()
@BOUNDED
def test_no_guarantee_call_gets_a_5xx_or_an_answer_the_schema_does_not_declare(case, shop_key):
    headers = _headers(shop_key)
    response = case.call_and_validate(headers=headers, checks=CHECKS)
    if case.method == "POST" and response.status_code == 201:
        number = response.json()["number"]
        assert Guarantee.objects.filter(number=number).exists()
        read = schema["/api/v1/guarantees/{number}"]["GET"].Case(path_parameters={"number": number})
        assert read.call_and_validate(headers=headers, checks=CHECKS).status_code == 200


# Two findings of the fuzzer (fixed), stated on their own so that they do not depend on it.


def test_every_operation_that_takes_an_api_key_declares_its_401():
    for path, methods in schema.raw_schema["paths"].items():
        for method, operation in methods.items():
            if operation.get("security"):
                assert "401" in operation["responses"], f"{method.upper()} {path}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("field", ["order_reference", "buyer_name"])
def test_a_nul_character_in_a_registration_is_refused_without_a_server_error(
    client, shop_key, field
):
    body = {
        "order_reference": "NUL-1",
        "amount": "10.00",
        "currency": "EUR",
        "buyer_email": "buyer@example.org",
        "purchase_date": _days_ago(2),
        field: "A\x00B",
    }
    client.raise_request_exception = False
    response = client.post(
        "/api/v1/guarantees",
        data=json.dumps(body),
        content_type="application/json",
        headers=_headers(shop_key),
    )
    assert response.status_code < 500


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_400_in_the_declared_error_shape(client, shop_key):
    response = client.post(
        "/api/v1/guarantees",
        data=b"\x00",
        content_type="application/json",
        headers=_headers(shop_key),
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Cannot parse request body",
        "field": None,
        "code": "bad_request",
    }
