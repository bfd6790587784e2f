"""State diagrams drawn from the django-fsm transitions themselves (Mermaid)."""

from __future__ import annotations

from django.db import models
from django_fsm import FSMFieldMixin


def fsm_field(model: type[models.Model]) -> FSMFieldMixin:
    for field in model._meta.fields:
        if isinstance(field, FSMFieldMixin):
            return field
    raise LookupError(f"{model.__name__} has no FSM field")


def mermaid(model: type[models.Model]) -> str:
    """A Mermaid stateDiagram of every transition declared on the model."""
    field = fsm_field(model)
    lines = ["stateDiagram-v2", f"    [*] --> {field.get_default()}"]
    edges = set()
    for transition in field.get_all_transitions(model):
        # A target decided at run time (GET_STATE, RETURN_VALUE) lists the states it may pick.
        targets = getattr(transition.target, "allowed_states", None) or [transition.target]
        for target in targets:
            edges.add((str(transition.source), str(target), transition.name))
    for source, target, name in sorted(edges):
        source = "[*]" if source == "*" else source
        lines.append(f"    {source} --> {target}: {name}")
    return "\n".join(lines) + "\n"


def document(models_to_draw: list[type[models.Model]]) -> str:
    parts = [
        "# State diagrams",
        "",
        "Generated from the code by `python manage.py state_diagrams`; do not edit by hand.",
        "",
    ]
    for model in models_to_draw:
        parts += [
            f"## {model._meta.verbose_name}",
            "",
            "```mermaid",
            mermaid(model).rstrip(),
            "```",
            "",
        ]
    return "\n".join(parts)
