"""The API answers what its OpenAPI schema promises."""

import jsonschema
import pytest

pytestmark = pytest.mark.django_db


def _schema(client) -> dict:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return response.json()


def _validator(schema: dict, path: str, status: str) -> jsonschema.Draft202012Validator:
    operation = schema["paths"][path]["get"]
    body = operation["responses"][status]["content"]["application/json"]["schema"]
    resolver_schema = {**body, "components": schema["components"]}
    return jsonschema.Draft202012Validator(
        _inline_refs(resolver_schema), format_checker=jsonschema.FormatChecker()
    )


def _inline_refs(node, root=None):
    root = root or node
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return _inline_refs(root["components"]["schemas"][name], root)
        return {k: _inline_refs(v, root) for k, v in node.items() if k != "components"}
    if isinstance(node, list):
        return [_inline_refs(v, root) for v in node]
    return node


def test_schema_is_openapi_3_1_and_documents_the_public_mark_contract(client):
    schema = _schema(client)
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/marks/{number}" in schema["paths"]
    mark = schema["components"]["schemas"]["MarkOut"]
    assert set(mark["required"]) == {
        "number",
        "status",
        "valid_from",
        "valid_until",
        "shop_name",
        "domain",
        "member_name",
        "country",
        "verification_url",
        "updated_at",
    }


def test_mark_answers_match_the_schema_for_found_and_unknown(client, active_mark):
    schema = _schema(client)
    found = client.get(f"/api/v1/marks/{active_mark.number}")
    _validator(schema, "/api/v1/marks/{number}", "200").validate(found.json())
    missing = client.get("/api/v1/marks/TM-1999-000000")
    assert missing.status_code == 404
    _validator(schema, "/api/v1/marks/{number}", "404").validate(missing.json())


def test_the_browsable_docs_are_served_from_our_own_static_files(client):
    page = client.get("/api/docs/").content.decode()
    assert "ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page


def test_the_guarantee_api_is_documented_with_its_fixed_field_names(client):
    schema = _schema(client)
    assert "/api/v1/guarantees" in schema["paths"]
    request = schema["components"]["schemas"]["GuaranteeIn"]["properties"]
    assert set(request) == {
        "order_reference",
        "amount",
        "currency",
        "buyer_email",
        "buyer_name",
        "purchase_date",
        "expected_delivery_date",
        "plan",
        "language",
    }
    response = schema["components"]["schemas"]["GuaranteeOut"]["properties"]
    assert {"number", "state", "cover_amount", "cover_until", "created_at"} <= set(response)
