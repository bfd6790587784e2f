"""Audit models: the criteria catalogue, audits, findings and their documents."""

from audits.models.audits import (
    OPEN_AUDIT_STATES,
    Audit,
    AuditDocument,
    AuditState,
    DocumentRender,
    Finding,
    FindingResult,
)
from audits.models.catalogue import TEXT_KEYS, Category, CriteriaSet, Criterion, pick_language

__all__ = [
    "OPEN_AUDIT_STATES",
    "TEXT_KEYS",
    "Audit",
    "AuditDocument",
    "AuditState",
    "Category",
    "CriteriaSet",
    "Criterion",
    "DocumentRender",
    "Finding",
    "FindingResult",
    "pick_language",
]
