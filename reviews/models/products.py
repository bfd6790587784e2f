"""A shop's products, upserted by SKU, and their rating figures."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from certification.models import Shop


class Product(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="products")
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=300)
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)
    url = models.URLField(_("product page"), max_length=500, blank=True)
    image_url = models.URLField(_("image"), max_length=500, blank=True)
    brand = models.CharField(_("brand"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["shop", "sku"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "sku"], name="reviews_product_sku_per_shop"),
            models.CheckConstraint(
                condition=Q(gtin="") | Q(gtin__regex=r"^([0-9]{8}|[0-9]{12,14})$"),
                name="reviews_product_gtin_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class ProductRating(models.Model):
    """Average, count and distribution of one product's visible reviews, kept current."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="rating")
    average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    count = models.PositiveIntegerField(default=0)
    distribution = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("product rating")
        verbose_name_plural = _("product ratings")

    def __str__(self) -> str:
        return f"{self.product}: {self.average}"
