"""The staff search page: /portal/search/?q=…"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from portal.search import LIMIT, clean_query, may_search, search


@login_required
def staff_search(request: HttpRequest) -> HttpResponse:
    if not may_search(request.user):
        raise Http404("Not found.")
    query = clean_query(request.GET.get("q", ""))
    groups = search(request.user, query)
    return render(
        request,
        "portal/search.html",
        {
            "query": query,
            "groups": groups,
            "limit": LIMIT,
            "found": any(group.hits for group in groups),
        },
    )
