"""The REST API: one NinjaAPI, versioned routes, OpenAPI 3.1 at /api/schema/."""

from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from certification.api import router as certification_router
from core.ratelimit import RateLimited
from guarantees.api import router as guarantees_router
from guarantees.api_webhooks import router as webhook_endpoints_router
from quality.api import router as quality_router
from reviews.api_public import router as reviews_public_router
from reviews.api_shop import router as reviews_shop_router


class TrustmarkAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """With the OpenAPI 3.1 `webhooks` section: each event type and its payload."""
        from config.webhook_docs import webhooks_section

        schema = super().get_openapi_schema(*args, **kwargs)
        declare_request_errors(schema)
        schema["webhooks"] = webhooks_section(schema)
        return schema


def _typed(parameter: dict[str, Any]) -> bool:
    """A parameter that can fail validation: anything but free text."""
    return parameter.get("schema", {}).get("type", "string") != "string"


def declare_request_errors(schema: dict[str, Any]) -> None:
    """Say in every operation what the handlers below answer to a malformed request: 422
    for a parameter or field that does not validate (a path id that is not a number), 400
    for a body that is not JSON. Found by schemathesis: they were sent but not declared."""
    for methods in schema["paths"].values():
        for operation in methods.values():
            responses = operation["responses"]
            error = next(
                (r for code, r in responses.items() if str(code)[0] == "4" and "content" in r),
                None,
            )
            declared = {str(code) for code in responses}
            if error is None:
                continue
            has_body = "requestBody" in operation
            validated = has_body or any(_typed(p) for p in operation.get("parameters", []))
            if validated and "422" not in declared:
                responses[422] = {**error, "description": "Unprocessable Content"}
            if has_body and "400" not in declared:
                responses[400] = {**error, "description": "Bad Request"}


api = TrustmarkAPI(
    title="Trustmark API",
    version="1",
    description="Trust-mark verification, guarantees, claims and reviews.",
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
)
api.add_router("/v1/", certification_router)
api.add_router("/v1/", guarantees_router)
api.add_router("/v1/", reviews_public_router)
api.add_router("/v1/", reviews_shop_router)
api.add_router("/v1/", quality_router)
api.add_router("/v1/", webhook_endpoints_router)


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A 422 that names the first field in error, as every other API error does."""
    first = exc.errors[0] if exc.errors else {}
    location = [str(part) for part in first.get("loc", []) if part not in ("body", "payload")]
    return api.create_response(
        request,
        {
            "detail": first.get("msg", "Invalid request."),
            "field": location[-1] if location else None,
            "code": "invalid",
            "errors": exc.errors,
        },
        status=422,
    )


@api.exception_handler(HttpError)
def refused_request(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Errors ninja raises itself (a body that is not JSON is a 400), in the same shape."""
    try:
        code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        code = "error"
    return api.create_response(
        request,
        {"detail": str(exc), "field": None, "code": code},
        status=exc.status_code,
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": "Send a valid, unrevoked shop API key as Authorization: Bearer <key>.",
            "field": "Authorization",
            "code": "unauthenticated",
        },
        status=401,
    )


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    """Over the API key's rate limit: 429, and when to come back."""
    response = api.create_response(request, exc.as_dict(), status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response
