"""Review texts matched against the theme taxonomy in English, French and German."""

import pytest
from django.contrib.admin.sites import site
from django.db import IntegrityError, transaction
from django.urls import reverse

from reviews import themes
from reviews.admin import ThemeForm
from reviews.models import Review, Theme
from reviews.services import edit_review
from tests.factories import administrator
from tests.reviews.helpers import product, product_review, review, reviews_on


@pytest.fixture(autouse=True)
def _fresh_taxonomy():
    """A test that edits themes rolls back; the process must not keep its edit."""
    themes.forget()
    yield
    themes.forget()


@pytest.fixture
def shop(world):
    reviews_on(world.shop)
    return world.shop


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("All three deliveries came a week late.", {"delivery_time"}),
        ("It was delivered the next morning.", {"delivery_time"}),
        ("They refunded me within two days after I returned it.", {"returns_refunds"}),
        ("The packaging was torn and the parcel soaked.", {"packaging"}),
        ("Great value for money, cheaper than elsewhere.", {"price"}),
        ("The customer service answered my emails kindly.", {"customer_service"}),
        ("The checkout kept failing at payment.", {"website_checkout"}),
    ],
)
def test_english_plural_and_inflected_forms_meet_their_theme(text, expected):
    assert set(themes.themes_in(text, "en")) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Les livraisons sont toujours à l'heure.", {"delivery_time"}),
        ("Colis livré en deux jours, très bien emballé.", {"delivery_time", "packaging"}),
        ("J'ai été remboursée rapidement après le retour.", {"returns_refunds", "delivery_time"}),
        ("Le service client est très aimable.", {"customer_service"}),
        ("Des prix très chers pour une qualité moyenne.", {"price", "product_quality"}),
    ],
)
def test_french_plural_and_inflected_forms_meet_their_theme(text, expected):
    assert set(themes.themes_in(text, "fr")) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Die Lieferungen kamen immer pünktlich.", {"delivery_time"}),
        ("Alles wurde sauber geliefert.", {"delivery_time"}),
        ("Die Expresslieferung hat drei Wochen gedauert.", {"delivery_time"}),
        ("Der Kundenservice war sehr freundlich.", {"customer_service"}),
        ("Das Geld wurde nach der Rücksendung erstattet.", {"returns_refunds"}),
        ("Die Verpackungen waren beschädigt.", {"packaging"}),
    ],
)
def test_german_plural_inflected_and_compound_forms_meet_their_theme(text, expected):
    assert set(themes.themes_in(text, "de")) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I love the colour of this lamp.", "en"),
        ("Je recommande sans hésiter, merci beaucoup.", "fr"),
        ("Ich empfehle diesen Händler weiter.", "de"),
        ("", "en"),
    ],
)
def test_texts_about_nothing_in_the_taxonomy_get_no_theme(text, language):
    assert themes.themes_in(text, language) == []


@pytest.mark.django_db
def test_a_phrase_keyword_matches_only_its_words_in_a_row():
    assert "customer_service" in themes.themes_in("Their customer service is superb.", "en")
    assert "customer_service" not in themes.themes_in(
        "The service of the waiter matched what every customer expects.", "en"
    )


@pytest.mark.django_db
def test_an_unknown_language_falls_back_to_the_english_taxonomy():
    assert themes.themes_in("Deliveries were late.", "it") == ["delivery_time"]


@pytest.mark.django_db
def test_a_published_review_is_tagged_with_its_themes_in_its_language(shop):
    done = review(shop, comment="Die Lieferung war schnell, der Preis fair.", language="de")
    done.refresh_from_db()
    assert done.state == "published"
    assert set(done.themes) == {"delivery_time", "price"}


@pytest.mark.django_db
def test_a_product_review_title_counts_too(shop):
    done = product_review(shop, product(shop), title="Broke after a week", text="Sad.")
    assert Review.objects.get(pk=done.pk).themes == ["product_quality"]


@pytest.mark.django_db
def test_an_edited_review_gets_the_themes_of_its_new_text(shop):
    done = review(shop, comment="Nice packaging.")
    assert done.themes == ["packaging"]
    edit_review(review=done, comment="Refund took forever.")
    assert Review.objects.get(pk=done.pk).themes == ["returns_refunds"]


@pytest.mark.django_db
def test_tagging_costs_no_query_per_theme_once_the_taxonomy_is_loaded(
    django_assert_num_queries,
):
    themes.themes_in("warm up", "en")
    with django_assert_num_queries(0):
        for _ in range(20):
            themes.themes_in("Deliveries were late and the price too high.", "en")


@pytest.mark.django_db
def test_an_edited_theme_is_used_at_once():
    assert themes.themes_in("The parcel smelled of lavender.", "en") == ["packaging"]
    theme = Theme.objects.get(code="packaging", language="en")
    theme.keywords = "lavender"
    theme.save()
    assert themes.themes_in("The parcel smelled of lavender.", "en") == ["packaging"]
    assert themes.themes_in("The parcel was fine.", "en") == []


@pytest.mark.django_db
def test_the_taxonomy_form_refuses_an_empty_name_or_empty_keywords():
    form = ThemeForm(data={"code": "smell", "language": "en", "name": "  ", "keywords": "odour"})
    assert not form.is_valid()
    assert form.errors["name"] == ["Give the theme a name."]
    form = ThemeForm(data={"code": "smell", "language": "en", "name": "Smell", "keywords": "\n \n"})
    assert not form.is_valid()
    assert "keywords" in form.errors
    assert not Theme.objects.filter(code="smell").exists()


@pytest.mark.django_db
def test_an_empty_theme_is_refused_by_the_database_too():
    with pytest.raises(IntegrityError), transaction.atomic():
        Theme.objects.create(code="smell", language="en", name="", keywords="odour")
    with pytest.raises(IntegrityError), transaction.atomic():
        Theme.objects.create(code="smell", language="en", name="Smell", keywords="")


@pytest.mark.django_db
def test_an_administrator_edits_a_theme_in_the_admin_and_an_empty_one_is_refused(client):
    client.force_login(administrator())
    theme = Theme.objects.get(code="price", language="en")
    url = reverse("admin:reviews_theme_change", args=[theme.pk])
    refused = client.post(url, {"code": "price", "language": "en", "name": "", "keywords": ""})
    assert refused.status_code == 200
    assert "Give the theme a name." in refused.content.decode()
    theme.refresh_from_db()
    assert theme.name == "Price"
    saved = client.post(
        url, {"code": "price", "language": "en", "name": "Prices", "keywords": "price\ncostly"}
    )
    assert saved.status_code == 302
    theme.refresh_from_db()
    assert (theme.name, theme.keywords) == ("Prices", "price\ncostly")
    assert "price" in themes.themes_in("Far too costly.", "en")


def test_reviews_are_read_only_in_the_admin():
    assert not site._registry[Review].has_change_permission(None)
    assert not site._registry[Review].has_delete_permission(None)


@pytest.mark.django_db
def test_matching_again_after_a_taxonomy_edit_updates_published_reviews(shop, client):
    done = review(shop, comment="It smelled of lavender.")
    assert done.themes == []
    theme = Theme.objects.get(code="packaging", language="en")
    client.force_login(administrator())
    client.post(
        reverse("admin:reviews_theme_change", args=[theme.pk]),
        {"code": "packaging", "language": "en", "name": "Packaging", "keywords": "lavender"},
    )
    changelist = client.post(
        reverse("admin:reviews_theme_changelist"),
        {"action": "match_reviews_again", "_selected_action": [theme.pk]},
        follow=True,
    )
    assert "1 review has new themes." in changelist.content.decode()
    assert Review.objects.get(pk=done.pk).themes == ["packaging"]
