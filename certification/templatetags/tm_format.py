"""Formatting for cached public payloads (ISO dates, status words, country names)."""

from __future__ import annotations

import datetime

from django import template
from django.utils.formats import date_format
from django_countries import countries

from certification.models import MarkState

register = template.Library()


@register.filter
def isodate(value: str | None) -> str:
    """An ISO date from a cached payload, written the way the active language writes dates."""
    if not value:
        return ""
    return date_format(datetime.date.fromisoformat(value[:10]), "DATE_FORMAT")


@register.filter
def mark_status(value: str) -> str:
    try:
        return str(MarkState(value).label)
    except ValueError:
        return value


@register.filter
def country_name(code: str) -> str:
    return str(countries.name(code)) or code
