import time
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.utils import timezone

from core.errors import NotPermitted
from guarantees.checkout import checkout_url, read_link, rotate_secret, shop_secret, sign
from guarantees.models import Guarantee

pytestmark = pytest.mark.django_db


def _link(target, **changes):
    url = checkout_url(
        shop=target,
        order="WEB-500",
        amount="249.00",
        currency="EUR",
        email="bruno@example.com",
        purchase_date=timezone.localdate(),
    )
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return f"{parts.path}?{urlencode(query)}", query


def test_a_buyer_registers_through_the_checkout_link(client, certified):
    path, _query = _link(certified)
    page = client.get(path)
    assert page.status_code == 200
    assert "WEB-500" in page.content.decode()
    response = client.post(
        path, {"plan": "plus", "accept": "on", "buyer_name": "Bruno"}, follow=True
    )
    assert response.status_code == 200
    guarantee = Guarantee.objects.get()
    assert (guarantee.channel, guarantee.plan, str(guarantee.cover_amount)) == (
        "checkout",
        "plus",
        "249.00",
    )
    assert guarantee.number in response.content.decode()


def test_the_terms_must_be_accepted(client, certified):
    path, _query = _link(certified)
    response = client.post(path, {"plan": "basic"})
    assert response.status_code == 400
    assert not Guarantee.objects.exists()


def test_a_tampered_link_is_refused_with_an_explanation(client, certified):
    for change in ({"amount": "2490.00"}, {"email": "mallory@example.com"}, {"order": "WEB-501"}):
        path, _query = _link(certified, **change)
        response = client.get(path)
        assert response.status_code == 400
        assert "changed or is not signed" in response.content.decode()
        assert client.post(path, {"plan": "basic", "accept": "on"}).status_code == 400
    assert not Guarantee.objects.exists()


def test_an_expired_link_is_refused(client, certified):
    _path, query = _link(certified)
    with pytest.raises(Exception, match="expired"):
        read_link(query, now=time.time() + 8 * 24 * 3600)
    query["expires"] = str(int(time.time()) - 10)
    query["sig"] = sign({k: v for k, v in query.items() if k != "sig"}, shop_secret(certified))
    response = client.get("/protection/checkout/?" + urlencode(query))
    assert response.status_code == 400
    assert "expired" in response.content.decode()


def test_incomplete_or_unknown_shop_links_are_refused(client, certified):
    assert client.get("/protection/checkout/").status_code == 400
    _path, query = _link(certified, shop="no-such-shop-000000")
    assert client.get("/protection/checkout/?" + urlencode(query)).status_code == 400


def test_rotating_the_secret_invalidates_old_links(client, certified, world):
    path, _query = _link(certified)
    rotate_secret(shop=certified, actor=world.alice)
    assert client.get(path).status_code == 400
    new_path, _query = _link(certified)
    assert client.get(new_path).status_code == 200
    with pytest.raises(NotPermitted):
        rotate_secret(shop=certified, actor=world.charlie)


def test_the_documented_signature_recipe_matches(certified):
    import hashlib
    import hmac

    _path, query = _link(certified)
    message = "\n".join(
        query[k] for k in ("shop", "order", "amount", "currency", "email", "date", "expires")
    )
    expected = hmac.new(
        shop_secret(certified).encode(), message.encode(), hashlib.sha256
    ).hexdigest()
    assert expected == query["sig"]


def test_the_secret_is_shown_to_cases_right_holders_and_rotated_from_the_portal(
    client, certified, world
):
    from django.urls import reverse

    url = reverse("portal:shop_detail", args=[certified.public_id])
    client.force_login(world.bob)  # cases on this shop
    assert shop_secret(certified) in client.get(url).content.decode()
    old = shop_secret(certified)
    client.post(reverse("portal:checkout_secret_rotate", args=[certified.public_id]))
    assert shop_secret(certified) != old
    client.force_login(world.charlie)
    assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("portal:checkout_secret_rotate", args=[certified.public_id])
        ).status_code
        == 404
    )
