import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role, require_role, user_has_role
from core.errors import NotPermitted
from tests.factories import PASSWORD, UserFactory, staff_user

pytestmark = pytest.mark.django_db


def test_staff_role_groups_exist_and_administrators_manage_trustmark_models():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "auditor",
        "mediator",
        "administrator",
    }
    admin_perms = Group.objects.get(name="administrator").permissions
    assert admin_perms.filter(codename="add_shop").exists()
    assert admin_perms.filter(codename="change_member").exists()
    assert not Group.objects.get(name="auditor").permissions.exists()
    assert Permission.objects.filter(codename="area_cases").count() == 2


def test_roles_are_checked_and_administrators_hold_every_staff_role():
    auditor = staff_user(Role.AUDITOR)
    admin = staff_user(Role.ADMINISTRATOR)
    buyer = UserFactory()
    assert user_has_role(auditor, Role.AUDITOR)
    assert not user_has_role(auditor, Role.MEDIATOR)
    assert user_has_role(admin, Role.MEDIATOR)
    assert not user_has_role(buyer, Role.AUDITOR)
    with pytest.raises(NotPermitted):
        require_role(auditor, Role.ADMINISTRATOR)


def test_email_is_the_login_and_is_case_insensitive(client):
    UserFactory(email="olga@example.com")
    response = client.post(
        reverse("accounts:login"), {"username": "OLGA@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")


def test_a_wrong_password_shows_a_clear_error(client):
    UserFactory(email="olga@example.com")
    response = client.post(
        reverse("accounts:login"), {"username": "olga@example.com", "password": "nope"}
    )
    assert response.status_code == 200
    assert "correct email" in response.content.decode().lower()


def test_password_reset_sends_a_link_that_sets_a_new_password(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="olga@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "olga@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand-new-passphrase", "new_password2": "brand-new-passphrase"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-passphrase")


def test_a_person_chooses_their_language_and_pages_follow_it(client):
    user = UserFactory(language="en")
    client.force_login(user)
    client.post(reverse("accounts:set_language"), {"language": "de", "next": "/portal/"})
    user.refresh_from_db()
    assert user.language == "de"
    page = client.get(reverse("portal:dashboard"))
    assert page.headers["Content-Language"] == "de"


def test_the_users_email_is_unique_whatever_its_case():
    from django.db import IntegrityError, transaction

    UserFactory(email="olga@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="OLGA@example.com")
