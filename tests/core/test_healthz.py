import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


def test_healthz_reports_every_component(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["components"] == {"database": "ok", "cache": "ok", "broker": "inline"}


def test_healthz_names_a_stopped_broker_with_503(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["broker"]
    assert body["components"]["database"] == "ok"
    assert body["components"]["broker"].startswith("down")


def test_healthz_names_a_broken_cache_with_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("cache refused")

    monkeypatch.setattr(cache, "set", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["cache"]


def test_healthz_with_the_real_broker_when_one_is_configured(client):
    from django.conf import settings

    if not settings.CELERY_BROKER_URL:
        pytest.skip("no broker configured (CI sets CELERY_BROKER_URL to the local Redis)")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["components"]["broker"] == "ok"
