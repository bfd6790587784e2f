"""A lost database connection answers 503, not a 500 with a traceback.

The server may have dropped the connection (a failover, pg_terminate_backend, a restart):
the transaction is gone with it, so nothing half-written stays. The broken connection is
closed here so the next request opens a fresh one (CONN_HEALTH_CHECKS catches the rest).
"""

import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

RETRY_AFTER = "5"


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, OperationalError | InterfaceError):
            return None
        return unavailable(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost connection met in a middleware (the session, the user) is a 503 too."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return unavailable(request)
    return defaults.server_error(request)


def unavailable(request: HttpRequest) -> HttpResponse:
    for conn in connections.all(initialized_only=True):
        conn.close_if_unusable_or_obsolete()
    if request.path.startswith("/api/"):
        body = {
            "detail": "The service is briefly unavailable; retry the request.",
            "field": None,
            "code": "unavailable",
        }
        response: HttpResponse = JsonResponse(body, status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = RETRY_AFTER
    return response
