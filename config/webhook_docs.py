"""The OpenAPI 3.1 `webhooks` section: one entry per event type, with its payload schema.

Payloads reuse the API's own schemas where the object has an API (marks, guarantees) and the
small documented schemas of audits/webhooks.py and disputes/webhooks.py otherwise; reviews
add what a shop needs to the public reviews API's item (reviews/webhooks.py).
"""

from __future__ import annotations

from typing import Any

from ninja import Schema

from audits.webhooks import AuditOut
from certification.api import MarkOut
from disputes.webhooks import ClaimOut
from guarantees.api import GuaranteeOut
from notifications.webhooks import EVENT_TYPES
from reviews.webhooks import ReviewOut


class PingOut(Schema):
    endpoint: int
    url: str


def _payload_of(event_type: str) -> tuple[str | None, type[Schema]]:
    family = event_type.split(".")[0]
    return {
        "mark": ("mark", MarkOut),
        "audit": ("audit", AuditOut),
        "guarantee": ("guarantee", GuaranteeOut),
        "claim": ("claim", ClaimOut),
        "review": ("review", ReviewOut),
        "ping": (None, PingOut),
    }[family]


def _component(schemas: dict[str, Any], model: type[Schema]) -> dict[str, str]:
    name = f"Webhook{model.__name__}"
    if name not in schemas:
        body = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for sub_name, sub in body.pop("$defs", {}).items():
            schemas.setdefault(sub_name, sub)
        body["title"] = name
        schemas[name] = body
    return {"$ref": f"#/components/schemas/{name}"}


HEADERS = {
    "webhook-id": "The event's id (msg_…): the same on every retry; de-duplicate by it.",
    "webhook-timestamp": "Seconds since the epoch when this attempt was signed.",
    "webhook-signature": (
        "Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>`, one per active "
        "secret (two for 24 hours after a rotation). Verify with a standardwebhooks library."
    ),
}


def webhooks_section(schema: dict[str, Any]) -> dict[str, Any]:
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    section: dict[str, Any] = {}
    for event_type in EVENT_TYPES:
        key, model = _payload_of(event_type)
        ref = _component(schemas, model)
        data = {"type": "object", "properties": {key: ref}, "required": [key]} if key else ref
        section[event_type] = {
            "post": {
                "summary": event_type,
                "description": f"Sent to endpoints subscribed to `{event_type}`. "
                "See docs/webhooks.md.",
                "tags": ["webhooks"],
                "parameters": [
                    {
                        "name": name,
                        "in": "header",
                        "required": True,
                        "description": text,
                        "schema": {"type": "string"},
                    }
                    for name, text in HEADERS.items()
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "type": {"type": "string", "const": event_type},
                                    "timestamp": {"type": "string", "format": "date-time"},
                                    "data": data,
                                },
                                "required": ["type", "timestamp", "data"],
                            }
                        }
                    },
                },
                "responses": {
                    "2XX": {"description": "Received: any 2xx counts as delivered."},
                    "default": {"description": "Anything else is retried with growing delays."},
                },
            }
        }
    return section
