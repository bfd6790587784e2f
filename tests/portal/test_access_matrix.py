"""Every portal page that takes an id, tried as the owner, a granted employee,
an employee without the right, and an outsider from another member."""

import pytest
from django.urls import reverse

from certification.access import Right
from certification.models import Area, Invitation
from certification.team import invite_person, set_rights

pytestmark = pytest.mark.django_db


def _status(client, user, url, method="get"):
    client.force_login(user)
    response = getattr(client, method)(url)
    client.logout()
    return response.status_code


def test_shop_page_is_open_to_owner_and_granted_employee_and_404_to_others(client, world):
    url = reverse("portal:shop_detail", args=[world.shop.public_id])
    other_url = reverse("portal:shop_detail", args=[world.other_shop.public_id])
    assert _status(client, world.alice, url) == 200
    assert _status(client, world.bob, url) == 200
    assert _status(client, world.bob, other_url) == 404  # employee without that shop
    assert _status(client, world.charlie, url) == 404  # outsider from another member
    assert _status(client, world.alice, reverse("portal:shop_detail", args=["no-such-id"])) == 404


def test_employee_with_no_area_on_a_shop_gets_404(client, world):
    set_rights(actor=world.alice, member=world.member, person=world.bob, rights=set())
    url = reverse("portal:shop_detail", args=[world.shop.public_id])
    assert _status(client, world.bob, url) == 404


def test_team_pages_are_for_the_owner_and_team_right_holders_only(client, world):
    team = reverse("portal:team", args=[world.member.pk])
    person = reverse("portal:team_person", args=[world.member.pk, world.bob.pk])
    for url in (team, person):
        assert _status(client, world.alice, url) == 200
        assert _status(client, world.bob, url) == 404  # no team right
        assert _status(client, world.charlie, url) == 404
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.CASES, world.shop.pk), Right(Area.TEAM, world.shop.pk)},
    )
    assert _status(client, world.bob, team) == 200
    # A person of another member cannot be reached through this member's team.
    assert (
        _status(
            client,
            world.alice,
            reverse("portal:team_person", args=[world.member.pk, world.charlie.pk]),
        )
        == 404
    )
    assert (
        _status(client, world.charlie, reverse("portal:team", args=[world.charlie_member.pk]))
        == 200
    )


def test_removing_and_withdrawing_are_404_for_outsiders_and_change_nothing(client, world):
    invitation = invite_person(
        actor=world.alice, member=world.member, email="dora@nordlicht.example"
    )
    remove = reverse("portal:team_remove", args=[world.member.pk, world.bob.pk])
    withdraw = reverse("portal:invitation_withdraw", args=[world.member.pk, invitation.pk])
    assert _status(client, world.charlie, remove, "post") == 404
    assert _status(client, world.charlie, withdraw, "post") == 404
    assert _status(client, world.bob, withdraw, "post") == 404
    assert world.member.team.filter(user=world.bob).exists()
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
    assert _status(client, world.alice, withdraw, "post") == 302
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for url in (
        reverse("portal:dashboard"),
        reverse("portal:shop_list"),
        reverse("portal:shop_detail", args=[world.shop.public_id]),
        reverse("portal:team", args=[world.member.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_shop_list_shows_each_person_only_their_shops(client, world):
    client.force_login(world.bob)
    page = client.get(reverse("portal:shop_list")).content.decode()
    assert "nordlicht.example" in page
    assert "nordlicht-boutique.example" not in page
    assert "lumiere.example" not in page
    client.force_login(world.charlie)
    page = client.get(reverse("portal:shop_list")).content.decode()
    assert "lumiere.example" in page
    assert "nordlicht" not in page


def test_staff_see_every_shop_by_role(client, world, auditor, mediator):
    for person in (auditor, mediator):
        client.force_login(person)
        page = client.get(reverse("portal:shop_list")).content.decode()
        assert "nordlicht.example" in page
        assert "lumiere.example" in page
        assert (
            client.get(
                reverse("portal:shop_detail", args=[world.charlie_shop.public_id])
            ).status_code
            == 200
        )
    # Staff other than administrators do not manage members' teams.
    assert _status(client, auditor, reverse("portal:team", args=[world.member.pk])) == 404


def test_the_owner_grants_cases_on_one_shop_through_the_rights_page(client, world):
    client.force_login(world.alice)
    url = reverse("portal:team_person", args=[world.member.pk, world.bob.pk])
    response = client.post(url, {f"right__cases__{world.other_shop.pk}": "on"})
    assert response.status_code == 302
    from certification.access import rights_of

    assert rights_of(world.bob, world.member) == {Right(Area.CASES, world.other_shop.pk)}


def test_a_forged_cell_the_employee_cannot_grant_is_ignored(client, world):
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.CASES, world.shop.pk), Right(Area.TEAM, world.shop.pk)},
    )
    from tests.factories import UserFactory, join

    dora = UserFactory()
    join(world.member, dora)
    client.force_login(world.bob)
    url = reverse("portal:team_person", args=[world.member.pk, dora.pk])
    response = client.post(
        url, {"right__audits__member": "on", f"right__cases__{world.shop.pk}": "on"}
    )
    assert response.status_code == 302
    from certification.access import rights_of

    assert rights_of(dora, world.member) == {Right(Area.CASES, world.shop.pk)}
