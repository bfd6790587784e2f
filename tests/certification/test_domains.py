import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from certification.domains import display_domain, normalise_domain


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Shop.Example.com", "shop.example.com"),
        ("https://Shop.Example.com/path?query=1", "shop.example.com"),
        ("http://shop.example.com:8080/", "shop.example.com"),
        ("  www.shop.example.  ", "www.shop.example"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("BÜCHER.DE", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
    ],
)
def test_domains_are_stored_in_one_canonical_spelling(raw, expected):
    assert normalise_domain(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "localhost",
        "1.2.3.4",
        "http://[::1]/",
        "a..example",
        "-shop.example",
        "shop_.example",
        "user:pw@shop.example",
        "shop.123",
        "x" * 64 + ".example",
    ],
)
def test_invalid_domains_are_refused_with_a_message(raw):
    with pytest.raises(ValidationError) as info:
        normalise_domain(raw)
    assert info.value.messages[0]


def test_punycode_is_shown_to_people_in_unicode():
    assert display_domain("xn--bcher-kva.de") == "bücher.de"


# Hyphens in the 3rd and 4th place are reserved for IDNA ("xn--"); such labels are refused.
labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True).filter(
    lambda label: label[2:4] != "--"
)


@given(st.lists(labels, min_size=1, max_size=3), st.sampled_from(["de", "com", "example"]))
def test_normalising_twice_changes_nothing(parts, tld):
    domain = ".".join([*parts, tld])
    once = normalise_domain(domain.upper())
    assert normalise_domain(once) == once
    assert once == domain
