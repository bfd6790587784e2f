"""The database connection drops in the middle of a request (pg_terminate_backend).

The request answers 503 (JSON under /api/, a page elsewhere), nothing half-written stays,
and the next request works on a fresh connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client

from guarantees.models import Guarantee
from notifications.models import OutgoingMessage
from tests.guarantees.helpers import api_order, post_registration
from tests.worker import worker_database_url

pytestmark = pytest.mark.django_db(transaction=True)


def terminate(pid: int) -> None:
    """End one server backend from outside, as a failover or an operator would."""
    with psycopg.connect(worker_database_url(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@contextmanager
def dropped_after_first(verb: str) -> Iterator[list[str]]:
    """Let the request run its first `verb` statement, then cut its connection."""
    seen: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any):
        result = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith(verb) and not seen:
            seen.append(sql)
            terminate(connection.connection.info.backend_pid)
        return result

    with connection.execute_wrapper(wrapper):
        yield seen


def register(client, secret: str):
    return post_registration(client, secret, api_order(order_reference="ORD-DROP"))


@pytest.fixture
def secret(world, active_mark):
    from guarantees.keys import create_api_key

    _key, value = create_api_key(shop=world.shop, actor=world.alice, name="checkout")
    return value


def test_a_dropped_connection_answers_503_json_and_leaves_nothing(client, secret):
    messages = OutgoingMessage.objects.count()
    # The registration writes its rows with one INSERT made of CTEs (core.sql): "WITH ...".
    with dropped_after_first("WITH") as inserts:
        response = register(client, secret)
    assert inserts, "the request wrote nothing before the drop"
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "unavailable"
    assert response["Retry-After"]
    assert not Guarantee.objects.exists()
    assert OutgoingMessage.objects.count() == messages
    again = register(client, secret)
    assert again.status_code == 201, again.content
    assert Guarantee.objects.get().order_reference == "ORD-DROP"


def test_a_dropped_connection_on_a_page_answers_the_503_page(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.alice)
    with dropped_after_first("SELECT"):
        response = client.get("/portal/")
    assert response.status_code == 503
    assert b"briefly unavailable" in response.content
    assert client.get("/portal/").status_code == 200
