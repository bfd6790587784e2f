"""Periodic case work; safe to run twice or on two workers at once."""

from celery import shared_task

from disputes import deadlines


@shared_task
def run_deadlines() -> dict[str, int]:
    return deadlines.run_all()
