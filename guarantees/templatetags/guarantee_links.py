"""The buyer's guarantee page link in templates, made from the guarantee number.

Emails rendered by the worker (the registration confirmation) get the number from
the database and make the signed link here, where it is rendered.
"""

from __future__ import annotations

from django import template

from guarantees.links import page_url

register = template.Library()


@register.simple_tag
def guarantee_page_url(number: str) -> str:
    return page_url(number)
