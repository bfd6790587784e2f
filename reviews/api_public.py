"""Public read API: a shop's published reviews and rating, its products' reviews and ratings."""

from ninja import Router

router = Router(tags=["reviews"])
