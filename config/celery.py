"""The Celery app: Redis broker, JSON only, late acks, tasks enqueued on commit."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("trustmark")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
