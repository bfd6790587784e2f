"""docker-compose.yml and the README name the same services, variables and commands."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_runs_web_worker_beat_postgres_and_redis_with_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in services[name], name
    assert "gunicorn config.wsgi" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A config worker")
    assert services["beat"]["command"].startswith("celery -A config beat")


def test_readme_documents_every_variable_compose_sets_and_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = compose["services"]["web"]["environment"]
    for variable in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"):
        assert variable in env
        assert f"`{variable}`" in readme
    first_block = readme.split("```")[1]
    assert "make run" in first_block
    assert "make test" in first_block
