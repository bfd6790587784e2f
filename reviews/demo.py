"""Demo reviews, through the services: every review state, a report under way, a contested removal.

Called by `manage.py load_demo`; idempotent (a shop that already has demo
invitations is left as it is). Dates are spread over the last year by moving
the timestamps of the rows just written, so the profile, the insights and
the 12-month window have something to show; everything else goes through
the same services as in production.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from certification.models import Shop
from reviews import moderation
from reviews.invitations import Line, invite, review_until_of
from reviews.links import author_url, profile_url
from reviews.models import Invitation, Report, Review, ReviewMode, ReviewSettings, ReviewState
from reviews.products import ProductData
from reviews.ratings import refresh_for, refresh_shop_rating
from reviews.services import (
    Order,
    reply,
    submit_product_review,
    submit_shop_review,
    withdraw_review,
)
from reviews.shop_services import set_alerts, switch_mode, update_settings

PRODUCTS = [
    ProductData(
        sku="NL-MUG",
        name="Nordlicht Steingutbecher",
        gtin="4006381333931",
        url="https://nordlicht-shop.de/p/becher",
        brand="Nordlicht",
    ),
    ProductData(
        sku="NL-LAMP",
        name="Leselampe Polar",
        url="https://nordlicht-shop.de/p/leselampe",
        brand="Nordlicht",
    ),
    ProductData(sku="NL-BLANKET", name="Wolldecke Fjord", brand="Nordlicht"),
]

# (days ago, language, service, delivery, product, comment, product reviews [(sku, stars, text)])
PUBLISHED = [
    (
        330,
        "de",
        5,
        5,
        5,
        "Schnelle Lieferung, gut verpackt, alles bestens.",
        [("NL-MUG", 5, "Schöner Becher, hält die Wärme.")],
    ),
    (
        300,
        "de",
        4,
        3,
        4,
        "Die Lieferung hat etwas länger gedauert, aber der Kundenservice war freundlich.",
        [],
    ),
    (
        260,
        "en",
        5,
        4,
        5,
        "Great quality and the customer service answered within an hour.",
        [("NL-LAMP", 4, "Warm light, a bit heavy.")],
    ),
    (220, "de", 2, 1, 3, "Paket kam beschädigt an und die Lieferung war sehr spät.", []),
    (190, "fr", 4, 5, 4, "Livraison rapide, emballage soigné. Je recommande.", []),
    (
        150,
        "de",
        5,
        5,
        4,
        "Preis und Qualität stimmen, gerne wieder.",
        [("NL-MUG", 4, "Gute Qualität, Farbe etwas dunkler als auf dem Foto.")],
    ),
    (120, "de", 3, 3, 3, "Ware ok, Rücksendung hat gedauert bis das Geld zurück war.", []),
    (90, "en", 5, 5, 5, "Smooth checkout and fast delivery. Lovely packaging.", []),
    (
        60,
        "de",
        1,
        2,
        1,
        "Produkt entsprach nicht der Beschreibung, Erstattung nach zwei Wochen.",
        [("NL-LAMP", 2, "Wackelt, Schalter klemmt.")],
    ),
    (
        30,
        "de",
        5,
        4,
        5,
        "Sehr freundlicher Kundenservice, Lieferung pünktlich.",
        [("NL-MUG", 5, "Perfekt für Tee.")],
    ),
    (12, "fr", 4, 4, 5, "Produit de bonne qualité, livré en trois jours.", []),
    (4, "de", 5, 5, 5, "Alles bestens, jederzeit wieder!", []),
]

MARKER = "DEMO-R-"


def _backdate(inv: Invitation, days: int) -> None:
    """Seed data only: the order, its invitation and its reviews are moved `days` into the past."""
    when = timezone.now() - timedelta(days=days, hours=3)
    ordered = when.date() - timedelta(days=5)
    until = review_until_of(ordered)
    Invitation.objects.filter(pk=inv.pk).update(
        order_date=ordered,
        created_at=when - timedelta(days=4),
        send_at=when - timedelta(days=2),
        sent_at=when - timedelta(days=2),
        clicked_at=when,
        reviewed_at=when,
        review_until=until,
    )
    Review.objects.filter(invitation=inv).update(
        submitted_at=when, published_at=when, experienced_on=ordered, editable_until=until
    )


def _order(shop: Shop, n: int, *, email: str, name: str, language: str, skus=()) -> Invitation:
    return invite(
        shop=shop,
        order_reference=f"{MARKER}{n:03d}",
        email=email,
        name=name,
        language=language,
        order_date=timezone.localdate() - timedelta(days=5),
        source="api",
        lines=[Line(product=ProductData(sku=sku)) for sku in skus],
    )


def _nordlicht(shop: Shop, owner: Any, moderator: Any, admin: Any) -> dict[str, Any]:
    update_settings(shop=shop, actor=owner, enabled=True, allow_open_link=False)
    from reviews.products import upsert_product

    for data in PRODUCTS:
        upsert_product(shop=shop, data=data, actor=owner)
    set_alerts(actor=owner, shop=shop, buckets=["1-2"])
    reviews: list[Review] = []
    for n, (days, lang, service, delivery, product, comment, items) in enumerate(PUBLISHED, 1):
        inv = _order(
            shop,
            n,
            email=f"kunde{n}@example.org",
            name=f"Kim Kunde{n}",
            language=lang,
            skus=[sku for sku, _s, _t in items],
        )
        order = Order.of_invitation(inv)
        review = submit_shop_review(
            order=order,
            ratings={"service": service, "delivery": delivery, "product": product},
            comment=comment,
            language=lang,
        )
        for sku, stars, text in items:
            line = inv.lines.get(product__sku=sku)
            submit_product_review(
                order=Order.of_invitation(Invitation.objects.get(pk=inv.pk)),
                product=line.product,
                line=line,
                stars=stars,
                text=text,
                language=lang,
            )
        _backdate(inv, days)
        reviews.append(review)
    reply(
        review=reviews[3],
        actor=owner,
        text="Das tut uns leid! Wir haben den Versanddienstleister gewechselt "
        "und Ihnen einen Gutschein geschickt.",
    )
    reply(
        review=reviews[8],
        actor=owner,
        text="Bitte melden Sie sich bei uns, wir finden eine Lösung.",
    )
    reply(review=reviews[0], actor=owner, text="Vielen Dank für Ihr Lob!")

    # Held by an automatic check (the author writes from the shop's own domain), then one rejected.
    held = submit_shop_review(
        order=Order.of_invitation(
            _order(
                shop, 20, email="mitarbeiter@nordlicht-shop.de", name="Max Intern", language="de"
            )
        ),
        ratings={"service": 5, "delivery": 5, "product": 5},
        comment="Bester Shop der Welt!",
    )
    rejected = submit_shop_review(
        order=Order.of_invitation(
            _order(shop, 21, email="chef@nordlicht-shop.de", name="Nora Chef", language="de")
        ),
        ratings={"service": 5},
        comment="Top!",
    )
    moderation.reject_held(
        review=rejected, actor=moderator, reason="The author works for the shop."
    )

    # A report under way: the moderator asked the author to show the purchase.
    reported = reviews[6]
    report = moderation.report_review(
        review=reported,
        reporter=owner,
        reason="false_fact",
        good_faith=True,
        text="Die Erstattung ging am Tag nach der Rücksendung raus; Beleg anbei.",
    )
    moderation.ask_author(
        report=report, actor=moderator, question="Können Sie das Datum der Erstattung belegen?"
    )

    # A removal the author contests: decided, contested, waiting for another person.
    removed = reviews[8]
    first = moderation.report_review(
        review=removed,
        reporter=owner,
        reason="insulting",
        good_faith=True,
        text="Die Bewertung enthält eine Beleidigung unserer Mitarbeiterin.",
    )
    moderation.decide(
        report=first,
        actor=moderator,
        decision="removed",
        reason="insulting",
        removal_note="Removed: it insulted a member of the shop's staff.",
    )
    moderation.contest(
        report=Report.objects.get(pk=first.pk),
        party="author",
        text="Ich habe niemanden beleidigt, nur meine Erfahrung beschrieben.",
    )

    # Part of a review removed (personal data), and one withdrawn by its author.
    partly = reviews[1]
    third = moderation.report_review(
        review=partly,
        reporter=owner,
        reason="personal_data",
        good_faith=True,
        text="Der Name unserer Mitarbeiterin steht in der Bewertung.",
    )
    moderation.decide(
        report=third,
        actor=moderator,
        decision="partly_removed",
        reason="personal_data",
        redacted_comment="Die Lieferung hat etwas länger gedauert, "
        "aber der Kundenservice war freundlich. […]",
    )
    withdraw_review(review=reviews[10])

    # An invitation waiting for the demo buyer: the shop, then two items.
    waiting = _order(
        shop,
        99,
        email="buyer@example.com",
        name="Bruno Buyer",
        language="en",
        skus=["NL-MUG", "NL-LAMP"],
    )
    refresh_shop_rating(shop.pk)
    for review in Review.objects.filter(shop=shop, subject="product"):
        refresh_for(review)
    return {
        "invitation_url": settings.SITE_URL
        + reverse("review_buyer:invitation", args=[waiting.token]),
        "held_review": held.pk,
        "reported_review": reported.pk,
        "contested_report": first.pk,
        "author_url_of_removed": author_url(removed),
    }


def _lumiere(shop: Shop, owner: Any) -> None:
    update_settings(shop=shop, actor=owner, enabled=True)
    switch_mode(shop=shop, actor=owner, mode=ReviewMode.ONE_CRITERION)
    for n, (days, stars, comment) in enumerate(
        [
            (200, 5, "Un accueil chaleureux et des conseils précieux."),
            (80, 4, "Très bon service, réponse rapide à mes questions."),
            (20, 5, "Service impeccable, je reviendrai."),
        ],
        50,
    ):
        inv = _order(
            shop, n, email=f"client{n}@example.fr", name=f"Camille Client{n}", language="fr"
        )
        submit_shop_review(
            order=Order.of_invitation(inv),
            ratings={"service": stars},
            comment=comment,
            language="fr",
        )
        _backdate(inv, days)
    refresh_shop_rating(shop.pk)


PEER_MEMBER = "Vergleichsgruppe Demo e.V."
# (shop name, stars of its reviews): shops selling to Germany, so the benchmark has a group.
PEERS = [
    ("Bergwerk Outdoor", [5, 5, 4, 5]),
    ("Kaffeerösterei Süd", [4, 4, 5, 3]),
    ("Lampenladen Ost", [3, 2, 4, 3]),
    ("Papeterie Nord", [5, 4, 4, 4]),
    ("Fahrradkontor", [2, 3, 1, 4]),
    ("Teehaus am Hafen", [5, 5, 5, 4]),
    ("Spielwaren Klein", [4, 3, 3, 4]),
    ("Gartenmarkt West", [1, 2, 3, 2]),
    ("Buchhandlung Eck", [5, 4, 5, 5]),
    ("Küchenwelt", [3, 4, 4, 2]),
]


def _peers(admin: Any) -> int:
    """Ten shops of one demo member selling to Germany, each with a few reviews."""
    from certification.models import Member, MembershipPlan
    from certification.services import create_shop

    member, _created = Member.objects.get_or_create(
        legal_name=PEER_MEMBER,
        defaults={
            "street": "Domplatz 1",
            "postal_code": "50667",
            "city": "Köln",
            "country": "DE",
            "contact_email": "peers@example.org",
        },
    )
    made = 0
    for n, (name, stars) in enumerate(PEERS, 1):
        domain = f"vergleich-{n:02d}.example"
        if Shop.objects.live().filter(domain=domain).exists():
            continue
        shop = create_shop(
            actor=admin,
            member=member,
            name=name,
            domain=domain,
            language="de",
            target_market="DE",
            currency="EUR",
            plan=MembershipPlan.objects.order_by("pk").first(),
        )
        ReviewSettings.objects.update_or_create(shop=shop, defaults={"enabled": True})
        for i, value in enumerate(stars):
            inv = _order(
                shop, 200 + i, email=f"k{n}-{i}@example.org", name="Kim Demo", language="de"
            )
            submit_shop_review(
                order=Order.of_invitation(inv),
                ratings={"service": value, "delivery": value, "product": value},
            )
            _backdate(inv, 20 + 40 * i)
        refresh_shop_rating(shop.pk)
        made += 1
    return made


def load(
    *, shops: dict[str, Shop], owners: dict[str, Any], moderator: Any, admin: Any
) -> dict[str, Any]:
    """The demo's reviews; `shops` and `owners` by domain. Returns what the demo JSON lists."""
    nordlicht, lumiere = shops["nordlicht-shop.de"], shops["atelier-lumiere.fr"]
    out: dict[str, Any] = {}
    if not Invitation.objects.filter(shop=nordlicht, order_reference__startswith=MARKER).exists():
        out = _nordlicht(nordlicht, owners["nordlicht-shop.de"], moderator, admin)
    else:
        waiting = Invitation.objects.get(shop=nordlicht, order_reference=f"{MARKER}099")
        out["invitation_url"] = settings.SITE_URL + reverse(
            "review_buyer:invitation", args=[waiting.token]
        )
    if not Invitation.objects.filter(shop=lumiere, order_reference__startswith=MARKER).exists():
        _lumiere(lumiere, owners["atelier-lumiere.fr"])
    out["benchmark_peers_created"] = _peers(admin)
    enabled = set(ReviewSettings.objects.filter(enabled=True).values_list("shop_id", flat=True))
    out["shops"] = [
        {
            "domain": shop.domain,
            "reviews_on": shop.pk in enabled,
            "profile_url": profile_url(shop.public_id),
        }
        for shop in shops.values()
    ]
    out["held_reviews"] = Review.objects.filter(state=ReviewState.HELD).count()
    return out
