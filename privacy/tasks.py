"""Periodic personal-data work; safe to run twice and on two workers at once."""

from celery import shared_task

from privacy import retention


@shared_task
def enforce_retention() -> dict[str, int]:
    return retention.enforce_retention()
