"""The REST API: one NinjaAPI, versioned routes, OpenAPI 3.1 at /api/schema/."""

from ninja import NinjaAPI

from certification.api import router as certification_router

api = NinjaAPI(
    title="Trustmark API",
    version="1",
    description="Trust-mark verification, guarantees and claims.",
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
)
api.add_router("/v1/", certification_router)
