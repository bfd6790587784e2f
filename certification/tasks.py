"""Periodic work of the certification app; each task is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from certification import misuse
from certification.marks import expire_due_marks


@shared_task
def expire_marks() -> int:
    return expire_due_marks()


@shared_task
def flush_badge_misuse() -> int:
    return misuse.flush()
