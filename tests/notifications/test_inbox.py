"""The portal inbox: what was emailed to a person is listed for them, and only for them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from notifications.models import OutgoingMessage

pytestmark = pytest.mark.django_db


def _message(user, subject="Your audit changed", body="Hello,\nthe audit moved on.\n", **kw):
    return OutgoingMessage.objects.create(
        template=kw.pop("template", "audit_changed"),
        to_email=user.email,
        recipient=user,
        subject=subject,
        body_text=body,
        **kw,
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_inbox_lists_ones_own_messages_newest_first_with_their_text(client, world):
    _message(world.alice, subject="First news")
    _message(world.alice, subject="Second news", body="Full text of the second.")
    client.force_login(world.alice)
    response = client.get(reverse("inbox:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Second news") < html.index("First news")
    assert "Full text of the second." in html


def test_the_inbox_shows_nobody_elses_messages(client, world):
    _message(world.charlie, subject="Private news for Charlie")
    _message(world.alice, subject="News for Alice")
    client.force_login(world.alice)
    html = client.get(reverse("inbox:list")).content.decode()
    assert "News for Alice" in html
    assert "Private news for Charlie" not in html


def test_another_persons_message_is_a_404_to_open_and_to_mark(client, world):
    theirs = _message(world.charlie)
    client.force_login(world.alice)
    assert client.get(reverse("inbox:detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("inbox:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_message_opens_on_its_own_page(client, world):
    mine = _message(world.alice, subject="Mark renewed", body="Your mark is renewed until May.")
    client.force_login(world.alice)
    response = client.get(reverse("inbox:detail", args=[mine.pk]))
    assert response.status_code == 200
    assert "Your mark is renewed until May." in response.content.decode()


def test_the_inbox_needs_a_sign_in(client, world):
    response = client.get(reverse("inbox:list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_mark_as_read_marks_one_message_and_keeps_the_first_time(client, world):
    first, second = _message(world.alice), _message(world.alice)
    client.force_login(world.alice)
    response = client.post(reverse("inbox:read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    read_at = first.read_at
    client.post(reverse("inbox:read", args=[first.pk]))
    first.refresh_from_db()
    assert first.read_at == read_at


def test_mark_as_read_is_post_only(client, world):
    mine = _message(world.alice)
    client.force_login(world.alice)
    assert client.get(reverse("inbox:read", args=[mine.pk])).status_code == 405
    assert client.get(reverse("inbox:read_all")).status_code == 405


def test_mark_as_read_needs_the_csrf_token(world):
    from django.test import Client

    mine = _message(world.alice)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world.alice)
    assert csrf_client.post(reverse("inbox:read", args=[mine.pk])).status_code == 403
    assert csrf_client.post(reverse("inbox:read_all")).status_code == 403
    mine.refresh_from_db()
    assert mine.read_at is None


def test_mark_all_as_read_marks_only_ones_own(client, world):
    mine = [_message(world.alice) for _ in range(3)]
    theirs = _message(world.charlie)
    client.force_login(world.alice)
    response = client.post(reverse("inbox:read_all"), follow=True)
    assert "3 messages marked as read." in response.content.decode()
    assert all(m.read_at for m in OutgoingMessage.objects.filter(pk__in=[m.pk for m in mine]))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_as_read_goes_back_to_a_local_page_only(client, world):
    mine = _message(world.alice)
    client.force_login(world.alice)
    url = reverse("inbox:read", args=[mine.pk])
    assert (
        client.post(url, {"next": "/portal/inbox/?page=2"})["Location"] == "/portal/inbox/?page=2"
    )
    other = _message(world.alice)
    response = client.post(
        reverse("inbox:read", args=[other.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("inbox:list")


def test_the_header_shows_the_unread_count_on_every_page(client, world):
    for _ in range(3):
        _message(world.alice)
    _message(world.charlie)
    client.force_login(world.alice)
    response = client.get(reverse("portal:shop_list"))
    assert response.context["unread_count"] == 3
    assert '<span class="count">3</span>' in response.content.decode()
    first = OutgoingMessage.objects.filter(recipient=world.alice).first()
    client.post(reverse("inbox:read", args=[first.pk]))
    assert client.get(reverse("portal:shop_list")).context["unread_count"] == 2
    client.post(reverse("inbox:read_all"))
    response = client.get(reverse("portal:shop_list"))
    assert response.context["unread_count"] == 0
    assert 'class="count"' not in response.content.decode()


def test_the_unread_count_is_one_query(world, django_assert_num_queries):
    from notifications.selectors import unread_count

    _message(world.alice)
    with django_assert_num_queries(1):
        assert unread_count(world.alice) == 1


def test_a_password_reset_link_stays_out_of_the_portal(client, world):
    """A borrowed session must not turn into a new password."""
    reset = _message(world.alice, subject="Reset your password", template="password_reset")
    client.force_login(world.alice)
    response = client.get(reverse("inbox:list"))
    assert "Reset your password" not in response.content.decode()
    assert response.context["unread_count"] == 0
    assert client.get(reverse("inbox:detail", args=[reset.pk])).status_code == 404


def test_real_emails_reach_the_inbox(client, world, admin_user):
    """An email queued by a service is listed for its recipient."""
    from certification.marks import issue_mark

    issue_mark(shop=world.shop, actor=admin_user)
    subjects = list(
        OutgoingMessage.objects.filter(recipient=world.alice).values_list("subject", flat=True)
    )
    assert subjects
    client.force_login(world.alice)
    html = client.get(reverse("inbox:list")).content.decode()
    assert escape(subjects[0]) in html


def test_inbox_query_count_is_the_same_for_3_and_30_messages(client, world):
    client.force_login(world.alice)
    url = reverse("inbox:list")
    for _ in range(3):
        _message(world.alice)
    few = _queries(client, url)
    for _ in range(27):
        _message(world.alice)
    many = _queries(client, url)
    assert many == few
    assert _queries(client, url + "?page=2") == few


def test_htmx_marks_a_message_read_in_place_and_plain_forms_still_work(client, world):
    first = _message(world.alice)
    second = _message(world.alice, subject="Second")
    client.force_login(world.alice)
    swapped = client.post(reverse("inbox:read", args=[first.pk]), HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200
    fragment = swapped.content.decode()
    assert fragment.lstrip().startswith(f'<li class="inbox-item" id="message-{first.pk}"')
    assert "Mark as read" not in fragment
    plain = client.post(reverse("inbox:read", args=[second.pk]))
    assert plain.status_code == 302
    assert OutgoingMessage.objects.filter(recipient=world.alice, read_at__isnull=True).count() == 0


def test_htmx_is_served_from_our_own_static_files(client, world):
    client.force_login(world.alice)
    page = client.get(reverse("inbox:list")).content.decode()
    assert '<script src="/static/portal/vendor/htmx-2.0.11.min.js" defer></script>' in page
    assert "://" not in "".join(line for line in page.splitlines() if "<script" in line)
