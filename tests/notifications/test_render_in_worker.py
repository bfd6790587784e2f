"""Emails the worker renders: the context kept as JSON comes back as it was given."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from notifications import context_codec


def test_numbers_dates_and_labels_come_back_with_their_types():
    context = {
        "cover": Decimal("59.90"),
        "until": datetime.date(2026, 12, 31),
        "at": datetime.datetime(2026, 12, 2, 10, 30, tzinfo=datetime.UTC),
        "plan": gettext_lazy("Basic"),
        "lines": [{"amount": Decimal("1.50")}, "text", 3, None, True],
    }
    back = context_codec.decode(context_codec.encode(context))
    assert back["cover"] == Decimal("59.90")
    assert isinstance(back["cover"], Decimal)
    assert back["until"] == datetime.date(2026, 12, 31)
    assert back["at"] == context["at"]
    assert back["plan"] == "Basic"
    assert back["lines"] == [{"amount": Decimal("1.50")}, "text", 3, None, True]


def test_a_lazy_label_is_translated_in_the_language_of_the_rendering():
    stored = context_codec.encode({"label": gettext_lazy("Amount covered")})
    with translation.override("de"):
        assert context_codec.decode(stored)["label"] == "Abgesicherter Betrag"


def test_a_value_json_cannot_hold_is_refused_when_queued():
    with pytest.raises(TypeError):
        context_codec.encode({"shop": object()})
