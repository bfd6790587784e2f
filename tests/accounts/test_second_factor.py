"""Staff sign in with a second factor, through the real login, setup and verify pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from accounts.second_factor import replace_recovery_codes
from tests.factories import PASSWORD, UserFactory, current_totp, staff_user

LOGIN = "/accounts/login/"
SETUP = "/accounts/second-factor/setup/"
VERIFY = "/accounts/second-factor/"

pytestmark = pytest.mark.django_db


def _sign_in(email: str) -> Client:
    browser = Client()
    response = browser.post(LOGIN, {"username": email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def _redirect_path(response) -> str:
    return response["Location"].split("?")[0]


def test_staff_without_a_device_reach_only_the_setup_page():
    person = UserFactory(email="new.auditor@example.com", is_staff=True)
    person.groups.add(*staff_user(Role.AUDITOR).groups.all())
    browser = _sign_in(person.email)
    for url in (reverse("portal:dashboard"), "/admin/", reverse("accounts:profile")):
        response = browser.get(url)
        assert response.status_code == 302
        assert _redirect_path(response) == SETUP
    assert _redirect_path(browser.get(VERIFY)) == SETUP
    page = browser.get(SETUP).content.decode()
    assert "<svg" in page
    secret = re.search(r"<code data-secret>(\w+)</code>", page).group(1)
    device = TOTPDevice.objects.get(user=person)
    assert device.confirmed is False

    assert "not valid" in browser.post(SETUP, {"token": "000000"}).content.decode()
    assert browser.get(reverse("portal:dashboard")).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp slows guessing down
    device.throttle_reset()  # instead of waiting out the delay

    from base64 import b32decode

    code = f"{TOTP(b32decode(secret), device.step, device.t0, device.digits).token():06d}"
    shown = browser.post(SETUP, {"token": code, "next": "/portal/"}).content.decode()
    codes = re.findall(r"<li><code>(\w+)</code></li>", shown)
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed is True
    assert browser.get(reverse("portal:dashboard")).status_code == 200


def test_staff_with_a_device_must_enter_a_valid_code():
    person = staff_user(Role.ADMINISTRATOR)
    browser = _sign_in(person.email)
    response = browser.get("/admin/")
    assert _redirect_path(response) == VERIFY
    assert _redirect_path(browser.get(reverse("portal:dashboard"))) == VERIFY
    assert _redirect_path(browser.get(SETUP)) == VERIFY

    refused = browser.post(VERIFY, {"token": "123456"})
    assert refused.status_code == 200
    assert "not valid" in refused.content.decode()
    assert _redirect_path(browser.get("/admin/")) == VERIFY

    device = TOTPDevice.objects.get(user=person)
    device.throttle_reset()  # the refused code started django-otp's delay; skip the wait
    accepted = browser.post(VERIFY, {"token": current_totp(device), "next": "/admin/"})
    assert accepted["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200
    assert browser.get(reverse("portal:dashboard")).status_code == 200


def test_a_recovery_code_works_once():
    person = staff_user(Role.MEDIATOR)
    code = replace_recovery_codes(user=person)[0]
    browser = _sign_in(person.email)
    assert browser.post(VERIFY, {"token": code})["Location"] == "/"
    assert browser.get(reverse("portal:dashboard")).status_code == 200

    again = _sign_in(person.email)
    assert again.post(VERIFY, {"token": code}).status_code == 200
    assert _redirect_path(again.get(reverse("portal:dashboard"))) == VERIFY


def test_a_merchant_signs_in_with_the_password_alone(world):
    browser = _sign_in(world.alice.email)
    assert browser.get(reverse("portal:dashboard")).status_code == 200
    assert not TOTPDevice.objects.filter(user=world.alice).exists()


def test_public_pages_stay_public_for_an_unverified_staff_session():
    browser = _sign_in(staff_user(Role.AUDITOR).email)
    assert browser.get(reverse("verify_lookup")).status_code == 200
    assert browser.get("/healthz").status_code == 200


def _fail_five_times(browser: Client, email: str):
    for _attempt in range(4):
        failed = browser.post(LOGIN, {"username": email, "password": "wrong"})
        assert failed.status_code == 200
    return browser.post(LOGIN, {"username": email, "password": "wrong"})


def test_repeated_failed_sign_ins_lock_the_account_out_with_429():
    person = staff_user(Role.AUDITOR)
    locked = _fail_five_times(Client(), person.email)
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    other_ip = Client(REMOTE_ADDR="10.0.0.9")
    assert other_ip.post(LOGIN, {"username": person.email, "password": PASSWORD}).status_code == 302


def test_the_right_password_is_refused_while_locked_out():
    person = staff_user(Role.AUDITOR)
    browser = Client()
    assert _fail_five_times(browser, person.email).status_code == 429
    still = browser.post(LOGIN, {"username": person.email, "password": PASSWORD})
    assert still.status_code == 429
    shouted = browser.post(LOGIN, {"username": f" {person.email.upper()} ", "password": PASSWORD})
    assert shouted.status_code == 429
    assert "_auth_user_id" not in browser.session


def test_failures_on_one_account_do_not_lock_another_out_from_the_same_address():
    person, other = staff_user(Role.AUDITOR), staff_user(Role.MEDIATOR)
    browser = Client()
    assert _fail_five_times(browser, person.email).status_code == 429
    assert browser.post(LOGIN, {"username": other.email, "password": PASSWORD}).status_code == 302


def test_password_reset_is_limited_per_address():
    url = reverse("accounts:password_reset")
    for _attempt in range(3):
        assert Client().post(url, {"email": "someone@example.com"}).status_code == 302
    limited = Client(REMOTE_ADDR="10.0.0.8").post(url, {"email": "someone@example.com"})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert Client().post(url, {"email": "other@example.com"}).status_code == 302
