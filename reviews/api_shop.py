"""The shop's write API (its API key): review invitations and product upserts."""

from ninja import Router

router = Router(tags=["reviews"])
