import pytest

from audits import services
from audits.models import Audit, FindingResult
from tests.factories import staff_user


@pytest.fixture
def auditor2(db):
    return staff_user("auditor", email="second.auditor@trustmark.example")


@pytest.fixture
def requested(world):
    return services.request_audit(shop=world.shop, actor=world.alice)


@pytest.fixture
def in_review(requested, auditor):
    audit = services.assign_audit(audit=requested, actor=auditor, auditor=auditor)
    return services.start_review(audit=audit, actor=auditor)


def decide_all(audit: Audit, actor, *, unmet: tuple[str, ...] = ()) -> None:
    """Record every finding: met, except the criteria codes in `unmet`."""
    for finding in audit.findings.select_related("criterion"):
        result = FindingResult.NOT_MET if finding.criterion.code in unmet else FindingResult.MET
        services.record_finding(finding=finding, actor=actor, result=result, note="checked")


def answers_for(audit: Audit) -> dict[int, str]:
    return {
        f.pk: f"fixed {f.criterion.code}"
        for f in audit.findings.filter(result=FindingResult.NOT_MET).select_related("criterion")
    }
