"""A shop's private message to a review's author, sent by Trustmark's email.

The shop writes; Trustmark mails it to the author's address, which the shop
never sees. The row is the record (and the rate limit's count); its insert is
in the history with the person who sent it.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reviews.models.reviews import Review


@pghistory.track(pghistory.InsertEvent("sent"), exclude=["text"])
class ShopMessage(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="shop_messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("message"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("message to a review's author")
        verbose_name_plural = _("messages to reviews' authors")
        indexes = [models.Index(fields=["review", "-sent_at"], name="shop_message_recent_idx")]

    def __str__(self) -> str:
        return f"{self.review_id} · {self.sent_at:%Y-%m-%d}"
