"""Load, copy and publish versions of the criteria catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, require_role
from audits.models import TEXT_KEYS, Category, CriteriaSet, Criterion
from core.errors import Conflict, DomainError
from core.history import acting

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGUAGES = ("en", "fr", "de")


def validate_catalogue(data: dict[str, Any]) -> None:
    """Refuse a catalogue file with a missing language, text or category."""
    categories = {c["code"] for c in data["categories"]}
    codes: set[str] = set()
    for item in data["criteria"]:
        if item["code"] in codes:
            raise ValueError(f"duplicate criterion code {item['code']}")
        codes.add(item["code"])
        if item["category"] not in categories:
            raise ValueError(f"{item['code']}: unknown category {item['category']}")
        if item["severity"] not in Criterion.Severity.values:
            raise ValueError(f"{item['code']}: unknown severity {item['severity']}")
        if item["applies_to"] not in Criterion.AppliesTo.values:
            raise ValueError(f"{item['code']}: unknown scope {item['applies_to']}")
        for language in LANGUAGES:
            texts = item["texts"].get(language, {})
            missing = [key for key in TEXT_KEYS if not str(texts.get(key, "")).strip()]
            if missing:
                raise ValueError(f"{item['code']}: {language} lacks {', '.join(missing)}")


def load_catalogue(
    data: dict[str, Any],
    *,
    criteria_set_model: Any = CriteriaSet,
    category_model: Any = Category,
    criterion_model: Any = Criterion,
    activate: bool = True,
) -> Any:
    """Create or update a criteria set from catalogue data (used by the migration too)."""
    validate_catalogue(data)
    criteria_set, _created = criteria_set_model.objects.update_or_create(
        version=data["version"],
        defaults={"title": data["title"], "published_on": data.get("published_on")},
    )
    if activate and not criteria_set_model.objects.filter(status="active").exists():
        criteria_set.status = "active"
        criteria_set.save(update_fields=["status"])
    categories = {}
    for item in data["categories"]:
        categories[item["code"]], _created = category_model.objects.update_or_create(
            criteria_set=criteria_set,
            code=item["code"],
            defaults={"order": item["order"], "name": item["name"]},
        )
    for item in data["criteria"]:
        criterion_model.objects.update_or_create(
            criteria_set=criteria_set,
            code=item["code"],
            defaults={
                "category": categories[item["category"]],
                "order": item["order"],
                "severity": item["severity"],
                "applies_to": item["applies_to"],
                "sources": item.get("sources", []),
                "texts": item["texts"],
            },
        )
    return criteria_set


def read_catalogue_file(name: str) -> dict[str, Any]:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def copy_as_draft(*, source: CriteriaSet, version: str, actor: Any) -> CriteriaSet:
    """Start a new version from an existing one; administrators edit it, then publish."""
    require_role(actor, Role.ADMINISTRATOR)
    if CriteriaSet.objects.filter(version=version).exists():
        raise DomainError(_("Version %(v)s exists already.") % {"v": version}, field="version")
    with transaction.atomic(), acting(actor, "criteria_set_copied"):
        draft = CriteriaSet.objects.create(version=version, title=source.title)
        categories = {}
        for category in source.categories.all():
            categories[category.pk] = Category.objects.create(
                criteria_set=draft, code=category.code, order=category.order, name=category.name
            )
        Criterion.objects.bulk_create(
            Criterion(
                criteria_set=draft,
                category=categories[c.category_id],
                code=c.code,
                order=c.order,
                severity=c.severity,
                applies_to=c.applies_to,
                sources=c.sources,
                texts=c.texts,
            )
            for c in source.criteria.all()
        )
    return draft


def publish(*, criteria_set: CriteriaSet, actor: Any) -> CriteriaSet:
    """Make a draft the active catalogue; the previous active set is retired.

    Audits already opened keep the set they were made against.
    """
    require_role(actor, Role.ADMINISTRATOR)
    with transaction.atomic(), acting(actor, "criteria_set_published"):
        draft = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
        if draft.status != CriteriaSet.Status.DRAFT:
            raise Conflict(_("Only a draft can be published."))
        if not draft.criteria.exists():
            raise DomainError(_("A criteria set needs at least one criterion."))
        CriteriaSet.objects.filter(status=CriteriaSet.Status.ACTIVE).update(
            status=CriteriaSet.Status.RETIRED
        )
        draft.status = CriteriaSet.Status.ACTIVE
        draft.published_on = timezone.localdate()
        draft.save(update_fields=["status", "published_on"])
    return draft
