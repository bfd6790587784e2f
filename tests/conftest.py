"""Shared fixtures: alice (owner), bob (employee granted on one shop), charlie (outsider)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from celery.result import _set_task_join_will_block
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.http import HttpRequest
from django.test import Client as DjangoClient
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role
from certification.access import Right
from certification.models import Area, Member, Shop, TeamRole
from certification.team import set_rights
from config.celery import app as celery_app
from tests import database_template
from tests.factories import (
    PASSWORD,
    MemberFactory,
    ShopFactory,
    UserFactory,
    join,
    staff_user,
)
from tests.worker import running_worker


class SignedInClient(DjangoClient):
    """force_login and login sign staff in with both factors, as the login and verify
    pages do: the session is marked verified with the person's confirmed TOTP device."""

    def force_login(self, user: User, backend: str | None = None) -> None:
        super().force_login(user, backend)
        self._verify_second_factor(user)

    def login(self, **credentials: object) -> bool:
        request = HttpRequest()  # django-axes counts failures per IP, so authenticate with one
        request.META["REMOTE_ADDR"] = "127.0.0.1"
        user = authenticate(request, **credentials)
        if user is None:
            return False
        self._login(user)
        self._verify_second_factor(user)
        return True

    def _verify_second_factor(self, user: User) -> None:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            return
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
    tmp_path_factory: pytest.TempPathFactory,
):
    """pytest-django's test database, except that xdist workers copy one migrated template
    (tests/database_template.py) instead of each migrating its own."""
    from django.test.utils import setup_databases, teardown_databases

    keep = django_db_keepdb and not django_db_createdb
    copied = bool(os.environ.get("PYTEST_XDIST_WORKER")) and not keep
    with django_db_blocker.unblock():
        if copied:
            original = database_template.create_worker_database(
                tmp_path_factory.getbasetemp().parent
            )
        else:
            made = setup_databases(verbosity=0, interactive=False, keepdb=keep)
    yield
    if keep:
        return
    with django_db_blocker.unblock():
        if copied:
            database_template.drop_worker_database(original)
        else:
            teardown_databases(made, verbosity=0)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The xdist controller drops the run's template database once the workers are done."""
    from pytest_django.plugin import blocking_manager_key

    config = session.config
    if hasattr(config, "workerinput") or not config.pluginmanager.hasplugin("xdist"):
        return
    if getattr(config.option, "numprocesses", None) in (None, 0):
        return
    with config.stash[blocking_manager_key].unblock():
        database_template.drop_template()


@pytest.fixture
def client() -> SignedInClient:
    return SignedInClient()


@pytest.fixture(autouse=True)
def _inline_celery(request: pytest.FixtureRequest):
    """Tasks run inline unless a test asks for the real worker.

    Celery guards an inline task with a process-wide flag (not per thread) that it sets on
    entry and puts back on exit. Two threads running inline tasks at once (the 50-thread
    tests) can put it back in the wrong order and leave it set, and every later
    `result.get()` in this process then fails with "Never call result.get() within a
    task". Each test starts with the flag clear.
    """
    _set_task_join_will_block(False)
    eager = request.node.get_closest_marker("worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest):
    """Data migrations seed plans, cover caps and the criteria catalogue. A transactional
    test ends with a flush that empties every table, so put them back when missing."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = "transactional_db" in names or bool(marker and marker.kwargs.get("transaction"))
    if marker is not None or names & {"db", "transactional_db"}:
        request.getfixturevalue("transactional_db" if transactional else "db")
        restore_reference_data()


def restore_reference_data() -> None:
    from importlib import import_module

    from django.apps import apps

    from audits.catalogue import load_catalogue, read_catalogue_file
    from audits.models import CriteriaSet
    from certification.models import MembershipPlan
    from guarantees.models import CoverCap

    if not MembershipPlan.objects.exists():
        import_module("certification.migrations.0002_membership_plans").create_plans(apps, None)
    if not CoverCap.objects.exists():
        import_module("guarantees.migrations.0002_caps_and_number_sequence").create_caps(apps, None)
    if not CriteriaSet.objects.exists():
        load_catalogue(read_catalogue_file("criteria_2026_1.json"))
    from reviews.models import Theme

    if not Theme.objects.exists():  # the review theme taxonomy, seeded by a data migration
        import_module("reviews.migrations.0004_e_theme_taxonomy").seed(apps, None)
    from quality.models import Threshold

    if not Threshold.objects.exists():  # the default zone thresholds, seeded by a data migration
        import_module("quality.migrations.0002_default_thresholds").create_thresholds(apps, None)


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache (Redis in CI) outlives a test's rolled-back transaction: start empty.

    Parallel workers (pytest -n) share the Redis database, each with its own key prefix
    (config/settings.py): a worker deletes its own keys, not the others' (FLUSHDB would).
    """
    from core.cache import local

    if hasattr(cache, "_cache") and hasattr(cache._cache, "get_client"):
        client = cache._cache.get_client(write=True)
        own = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if own:
            client.delete(*own)
    else:
        cache.clear()
    local.clear()
    return


@pytest.fixture(autouse=True)
def _english():
    """Each test starts in English: a request in another language must not leak."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def password() -> str:
    return PASSWORD


@dataclass
class World:
    """Two members: alice owns one with two shops; bob works there; charlie owns the other."""

    member: Member
    shop: Shop
    other_shop: Shop
    alice: User
    bob: User
    charlie: User
    charlie_member: Member
    charlie_shop: Shop


@pytest.fixture
def world(db) -> World:
    member = MemberFactory(legal_name="Nordlicht Handels GmbH")
    shop = ShopFactory(member=member, domain="nordlicht.example")
    other_shop = ShopFactory(member=member, domain="nordlicht-boutique.example")
    alice = UserFactory(email="alice@nordlicht.example", full_name="Alice Owner")
    bob = UserFactory(email="bob@nordlicht.example", full_name="Bob Employee")
    charlie = UserFactory(email="charlie@lumiere.example", full_name="Charlie Outsider")
    join(member, alice, TeamRole.OWNER)
    join(member, bob)
    set_rights(actor=alice, member=member, person=bob, rights={Right(Area.CASES, shop.pk)})
    charlie_member = MemberFactory(legal_name="Atelier Lumière SARL")
    charlie_shop = ShopFactory(member=charlie_member, domain="lumiere.example")
    join(charlie_member, charlie, TeamRole.OWNER)
    return World(member, shop, other_shop, alice, bob, charlie, charlie_member, charlie_shop)


@pytest.fixture
def admin_user(db) -> User:
    return staff_user(Role.ADMINISTRATOR, email="admin@trustmark.example")


@pytest.fixture
def auditor(db) -> User:
    return staff_user(Role.AUDITOR, email="auditor@trustmark.example")


@pytest.fixture
def mediator(db) -> User:
    return staff_user(Role.MEDIATOR, email="mediator@trustmark.example")


@pytest.fixture
def active_mark(world, admin_user):
    """alice's first shop holds a valid trust mark."""
    from certification.marks import issue_mark

    return issue_mark(shop=world.shop, actor=admin_user)


@pytest.fixture
def worker(tmp_path):
    """A real Celery worker process on the broker and the test database (see tests/worker.py)."""
    with running_worker(tmp_path) as mail_dir:
        yield mail_dir
