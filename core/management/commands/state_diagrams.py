"""Write docs/state-diagrams.md from the FSM transitions of every workflow model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_fsm import FSMFieldMixin

from core.diagrams import document

TARGET = Path(settings.BASE_DIR) / "docs" / "state-diagrams.md"


def workflow_models() -> list:
    found = []
    for model in apps.get_models():
        if model._meta.app_label in {"pghistory"} or model.__name__.endswith("Event"):
            continue
        if any(isinstance(f, FSMFieldMixin) for f in model._meta.fields):
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label)


class Command(BaseCommand):
    help = "Generate docs/state-diagrams.md from the code (--check fails if it is stale)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        text = document(workflow_models())
        if options["check"]:
            if not TARGET.exists() or TARGET.read_text() != text:
                raise CommandError("docs/state-diagrams.md is stale: run manage.py state_diagrams")
            return
        TARGET.write_text(text)
        self.stdout.write(f"wrote {TARGET}")
