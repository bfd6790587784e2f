import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import User
from certification.access import Right, rights_of, shops_visible_to, shops_with_right
from certification.models import (
    Area,
    Invitation,
    MemberUserObjectPermission,
    ShopUserObjectPermission,
    TeamMembership,
)
from certification.team import accept_invitation, invite_person, remove_from_team, set_rights
from core.errors import Conflict, DomainError, NotPermitted
from tests.factories import UserFactory, join

pytestmark = pytest.mark.django_db


def _invite(world, django_capture_on_commit_callbacks, email="dora@nordlicht.example", rights=None):
    with django_capture_on_commit_callbacks(execute=True):
        return invite_person(
            actor=world.alice,
            member=world.member,
            email=email,
            rights=rights if rights is not None else [Right(Area.CASES, world.shop.pk)],
        )


def _link_in_last_email() -> str:
    match = re.search(r"https?://\S+/invitations/(\S+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_owner_invites_an_employee_who_accepts_and_sees_just_the_granted_shop_and_area(
    world, django_capture_on_commit_callbacks
):
    _invite(world, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dora@nordlicht.example"]
    assert "Nordlicht Handels GmbH" in mail.outbox[0].subject
    token = _link_in_last_email()

    client = Client()
    page = client.get(reverse("portal:accept_invitation", args=[token]))
    assert page.status_code == 200
    response = client.post(
        reverse("portal:accept_invitation", args=[token]),
        {
            "full_name": "Dora New",
            "password1": "a-long-new-passphrase",
            "password2": "a-long-new-passphrase",
        },
    )
    assert response.status_code == 302
    dora = User.objects.get(email="dora@nordlicht.example")
    assert dora.check_password("a-long-new-passphrase")
    assert TeamMembership.objects.filter(member=world.member, user=dora, role="employee").exists()
    assert list(shops_with_right(dora, Area.CASES)) == [world.shop]
    assert list(shops_with_right(dora, Area.AUDITS)) == []
    assert set(shops_visible_to(dora)) == {world.shop}


def test_an_invitation_link_works_only_once(world, django_capture_on_commit_callbacks):
    _invite(world, django_capture_on_commit_callbacks)
    token = _link_in_last_email()
    accept_invitation(token=token, full_name="Dora", password="a-long-new-passphrase")
    with pytest.raises(Conflict):
        accept_invitation(token=token, full_name="Dora", password="a-long-new-passphrase")
    response = Client().post(
        reverse("portal:accept_invitation", args=[token]),
        {"full_name": "Eve", "password1": "another-long-pass", "password2": "another-long-pass"},
    )
    assert response.status_code == 400
    assert "already been used" in response.content.decode()
    assert TeamMembership.objects.filter(member=world.member).count() == 3


def test_an_expired_invitation_is_refused_and_nobody_joins(
    world, django_capture_on_commit_callbacks
):
    _invite(world, django_capture_on_commit_callbacks)
    token = _link_in_last_email()
    with freeze_time(timezone.now() + timedelta(days=8)):
        with pytest.raises(DomainError) as info:
            accept_invitation(token=token, full_name="Dora", password="a-long-new-passphrase")
        response = Client().get(reverse("portal:accept_invitation", args=[token]))
    assert info.value.code == "expired"
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email="dora@nordlicht.example").exists()


def test_a_tampered_link_is_refused(world, django_capture_on_commit_callbacks):
    _invite(world, django_capture_on_commit_callbacks)
    token = _link_in_last_email()
    response = Client().get(reverse("portal:accept_invitation", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_an_invitation_for_another_email_is_refused_to_a_signed_in_person(
    world, django_capture_on_commit_callbacks
):
    _invite(world, django_capture_on_commit_callbacks)
    token = _link_in_last_email()
    with pytest.raises(DomainError) as info:
        accept_invitation(token=token, user=world.charlie)
    assert info.value.code == "other_email"
    client = Client()
    client.force_login(world.charlie)
    response = client.post(reverse("portal:accept_invitation", args=[token]))
    assert response.status_code == 400
    assert "dora@nordlicht.example" in response.content.decode()
    assert not TeamMembership.objects.filter(member=world.member, user=world.charlie).exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_existing_account_links_to_the_team_when_signed_in(
    world, django_capture_on_commit_callbacks
):
    existing = UserFactory(email="dora@nordlicht.example")
    _invite(world, django_capture_on_commit_callbacks)
    token = _link_in_last_email()
    with pytest.raises(DomainError) as info:
        accept_invitation(token=token, full_name="Dora", password="a-long-new-passphrase")
    assert info.value.code == "login_required"
    membership = accept_invitation(token=token, user=existing)
    assert membership.user == existing
    assert rights_of(existing, world.member) == {Right(Area.CASES, world.shop.pk)}


def test_an_employee_cannot_grant_a_right_they_do_not_hold(
    world, django_capture_on_commit_callbacks
):
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.CASES, world.shop.pk), Right(Area.TEAM, world.shop.pk)},
    )
    with pytest.raises(NotPermitted) as info:
        invite_person(
            actor=world.bob,
            member=world.member,
            email="eve@nordlicht.example",
            rights=[Right(Area.AUDITS, world.shop.pk)],
        )
    assert "rights you hold" in info.value.message
    with pytest.raises(NotPermitted):
        invite_person(
            actor=world.bob,
            member=world.member,
            email="eve@nordlicht.example",
            rights=[Right(Area.CASES, world.other_shop.pk)],
        )
    assert not Invitation.objects.exists()
    # What bob holds, with the team right on that shop, he may pass on.
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_person(
            actor=world.bob,
            member=world.member,
            email="eve@nordlicht.example",
            rights=[Right(Area.CASES, world.shop.pk)],
        )
    assert invitation.rights == [{"area": "cases", "shop": world.shop.pk}]
    assert mail.outbox[-1].to == ["eve@nordlicht.example"]


def test_an_employee_without_the_team_right_cannot_change_rights(world):
    dora = UserFactory()
    join(world.member, dora)
    with pytest.raises(NotPermitted):
        set_rights(
            actor=world.bob,
            member=world.member,
            person=dora,
            rights={Right(Area.CASES, world.shop.pk)},
        )
    assert rights_of(dora, world.member) == set()


def test_rights_on_another_members_shop_are_refused(world):
    with pytest.raises(DomainError):
        set_rights(
            actor=world.alice,
            member=world.member,
            person=world.bob,
            rights={Right(Area.CASES, world.charlie_shop.pk)},
        )
    assert rights_of(world.bob, world.member) == {Right(Area.CASES, world.shop.pk)}


def test_the_owner_changes_and_revokes_rights_and_each_change_is_recorded(world):
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.AUDITS), Right(Area.DOCUMENTS, world.other_shop.pk)},
    )
    assert rights_of(world.bob, world.member) == {
        Right(Area.AUDITS),
        Right(Area.DOCUMENTS, world.other_shop.pk),
    }
    assert set(shops_with_right(world.bob, Area.AUDITS)) == {world.shop, world.other_shop}
    assert list(shops_with_right(world.bob, Area.CASES)) == []

    granted = (
        MemberUserObjectPermission.pgh_event_model.objects.filter(
            pgh_label="granted", user=world.bob
        )
        .select_related("pgh_context")
        .get()
    )
    assert granted.pgh_context.metadata["user"] == world.alice.pk
    assert granted.pgh_context.metadata["action"] == "rights_changed"
    revoked = (
        ShopUserObjectPermission.pgh_event_model.objects.filter(
            pgh_label="revoked", user=world.bob, content_object=world.shop
        )
        .select_related("pgh_context")
        .get()
    )
    assert revoked.pgh_context.metadata["user"] == world.alice.pk
    assert revoked.pgh_created_at is not None


def test_removing_an_employee_takes_every_right_away(world):
    remove_from_team(actor=world.alice, member=world.member, person=world.bob)
    assert not TeamMembership.objects.filter(user=world.bob).exists()
    assert list(shops_visible_to(world.bob)) == []
    assert rights_of(world.bob, world.member) == set()


def test_a_new_invitation_replaces_the_open_one(world, django_capture_on_commit_callbacks):
    first = _invite(world, django_capture_on_commit_callbacks)
    second = _invite(world, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None


def test_a_person_already_in_the_team_is_not_invited_again(world):
    with pytest.raises(DomainError) as info:
        invite_person(actor=world.alice, member=world.member, email="BOB@nordlicht.example")
    assert info.value.field == "email"
