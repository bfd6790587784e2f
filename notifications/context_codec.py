"""Email contexts as JSON, so that a message can be rendered by the worker that sends it.

A context is stored with the outbox row and rendered later, in the recipient's
language: numbers, dates and translatable labels must come back as what they
were (a Decimal is formatted by the locale, a lazy label is translated then),
not as the strings they were at the request.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext

_TAG = "__tm__"


def encode(context: dict[str, Any]) -> dict[str, Any]:
    """A JSON-safe copy of `context`; `decode` gives the values back with their types."""
    return {key: _encode(value) for key, value in context.items()}


def decode(stored: dict[str, Any]) -> dict[str, Any]:
    """The context as it was given to `encode`; call it with the language active."""
    return {key: _decode(value) for key, value in stored.items()}


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return {_TAG: "decimal", "v": str(value)}
    if isinstance(value, datetime.datetime):
        return {_TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, datetime.date):
        return {_TAG: "date", "v": value.isoformat()}
    if isinstance(value, Promise):  # gettext_lazy: keep the msgid, translate when rendered
        with translation.override(None):
            return {_TAG: "gettext", "v": str(value)}
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _encode(item) for key, item in value.items()}
    raise TypeError(f"an email context cannot hold {type(value).__name__}")


_DECODERS = {
    "decimal": Decimal,
    "datetime": datetime.datetime.fromisoformat,
    "date": datetime.date.fromisoformat,
    "gettext": gettext,
}


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if isinstance(value, dict):
        tag = value.get(_TAG)
        if tag in _DECODERS and set(value) == {_TAG, "v"}:
            return _DECODERS[tag](value["v"])
        return {key: _decode(item) for key, item in value.items()}
    return value
