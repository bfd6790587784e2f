"""Schemathesis over every API operation with all of its checks.

Where tests/api/test_schemathesis.py steers registrations towards valid purchases and
checks the answers against the schema, this file leaves schemathesis to choose: every
operation of /api/schema/, every built-in check (ignored_auth, negative data rejection,
undocumented status codes, missing headers, unsupported methods, use after free...). The
operations that take a key get a real API key of a certified shop; the public ones are
called as a buyer calls them (the API has no buyer credentials: a buyer's own pages work
with signed links). Bounded for CI and derandomized.

One check is left out: positive_data_acceptance expects every schema-valid body to be
accepted, but a registration also has to pass rules that depend on stored state (the
shop's currency, the purchase date window, the plan's cap, a reference already used),
answered with a 422 naming the field. test_schemathesis.py steers bodies through those
rules and checks that valid purchases are stored.
"""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from certification.models import MembershipPlan
from config.wsgi import application
from guarantees.keys import create_api_key

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

BOUNDED = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def shop_key(world, active_mark) -> str:
    world.shop.plan = MembershipPlan.objects.get(code="plus")
    world.shop.save(update_fields=["plan"])
    _key, secret = create_api_key(shop=world.shop, actor=world.alice, name="all-checks")
    return secret


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@BOUNDED
def test_every_operation_passes_every_check(case, shop_key):
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    if case.operation.definition.raw.get("security"):
        headers["Authorization"] = f"Bearer {shop_key}"
    case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
