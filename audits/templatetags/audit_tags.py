"""Criterion texts in the reader's language."""

from django import template

from audits.models import Criterion

register = template.Library()


@register.filter
def ctext(criterion: Criterion, key: str) -> str:
    """`{{ criterion|ctext:"title" }}`: the text in the active language, else English."""
    return criterion.text(key)
