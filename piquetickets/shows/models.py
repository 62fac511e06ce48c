"""Shows, their ticket types, promo codes, page design and featured placements."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from piquetickets.core.fields import SanitizedHTMLField
from piquetickets.core.models import KeepsCountersModel, TimeStampedModel
from piquetickets.core.money import CURRENCY_CHOICES, CURRENCY_EXPONENTS
from piquetickets.core.slugs import SluggedModel
from piquetickets.core.timezones import (
    DEFAULT_TIME_ZONE,
    time_zone_choices,
    time_zone_constraint,
    validate_time_zone,
)

MONEY = {"max_digits": 10, "decimal_places": 2}
hex_color = RegexValidator(r"^#[0-9A-Fa-f]{6}$", "Use a colour like #1A2B3C.")


class ShowQuerySet(models.QuerySet):
    def published(self) -> ShowQuerySet:
        return self.filter(published=True)

    def upcoming(self) -> ShowQuerySet:
        return self.filter(end_time__gt=timezone.now())


class LiveShowManager(models.Manager.from_queryset(ShowQuerySet)):
    """Hides soft-deleted shows. It is the default manager, so every page, endpoint and related
    lookup skips them; only the admin reads ``Show.all_objects``."""

    def get_queryset(self):
        return super().get_queryset().filter(is_deleted=False)


class Show(SluggedModel, TimeStampedModel):
    """Show: one dated performance that tickets are sold for."""

    slug_source_field = "title"

    class AgeRestriction(models.TextChoices):
        ALL_AGES = "all_ages", "All ages"
        AGE_16 = "16+", "16 and over"
        AGE_18 = "18+", "18 and over"
        AGE_21 = "21+", "21 and over"

    class RefundPolicy(models.TextChoices):
        NO_REFUNDS = "no_refunds", "All sales final"
        UNTIL_24H = "until_24h", "Refunds up to 24 hours before the show"
        UNTIL_7D = "until_7d", "Refunds up to 7 days before the show"
        ANY_TIME = "any_time", "Refunds any time before the show"

    title = models.CharField(max_length=200)
    description = SanitizedHTMLField(blank=True)
    door_time = models.DateTimeField(null=True, blank=True, help_text="When doors open; before the start.")
    start_time = models.DateTimeField()
    end_time = models.DateTimeField()
    time_zone = models.CharField(
        max_length=64, choices=time_zone_choices, default=DEFAULT_TIME_ZONE, validators=[validate_time_zone]
    )
    age_restriction = models.CharField(max_length=20, choices=AgeRestriction.choices, default=AgeRestriction.ALL_AGES)
    image = models.ImageField(upload_to="shows/", blank=True)
    banner_image = models.ImageField(upload_to="shows/banners/", blank=True)
    square_image = models.ImageField(upload_to="shows/square/", blank=True)
    image_variants = models.JSONField(
        default=dict, blank=True, editable=False, help_text="WebP renditions made from the uploaded images."
    )
    featured_video = models.URLField(blank=True)
    facebook_campaign_id = models.CharField(max_length=100, blank=True)
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    refund_policy = models.CharField(max_length=20, choices=RefundPolicy.choices, default=RefundPolicy.NO_REFUNDS)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    hold_minutes = models.PositiveSmallIntegerField(
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="How long tickets stay reserved for a buyer during checkout.",
    )
    max_tickets_per_order = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    draft_created_at = models.DateTimeField(null=True, blank=True)
    draft_updated_at = models.DateTimeField(null=True, blank=True)
    venue = models.ForeignKey("venues.Venue", on_delete=models.PROTECT, null=True, blank=True, related_name="shows")
    producer = models.ForeignKey("producers.Producer", on_delete=models.PROTECT, related_name="shows")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_shows",
    )
    performers = models.ManyToManyField("performers.Performer", related_name="shows", blank=True)

    objects = LiveShowManager()
    all_objects = ShowQuerySet.as_manager()

    class Meta:
        ordering = ["start_time"]
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["published", "start_time"], name="show_published_start_idx"),
            models.Index(fields=["venue", "start_time"], name="show_venue_start_idx"),
            models.Index(fields=["producer", "created_at"], name="show_producer_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_time__lt=models.F("end_time")),
                name="show_start_before_end",
                violation_error_message="The show must end after it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(door_time__isnull=True) | models.Q(door_time__lte=models.F("start_time")),
                name="show_doors_not_after_start",
                violation_error_message="Doors must open at or before the start time.",
            ),
            models.CheckConstraint(
                condition=models.Q(published=False) | models.Q(venue__isnull=False),
                name="show_published_has_venue",
                violation_error_message="A published show needs a venue.",
            ),
            models.CheckConstraint(
                condition=models.Q(is_deleted=False, deleted_at__isnull=True)
                | models.Q(is_deleted=True, deleted_at__isnull=False),
                name="show_deleted_at_matches_flag",
            ),
            models.CheckConstraint(
                condition=models.Q(hold_minutes__gte=1, hold_minutes__lte=120), name="show_hold_minutes_range"
            ),
            models.CheckConstraint(
                condition=models.Q(max_tickets_per_order__gte=1), name="show_max_tickets_per_order_gte_1"
            ),
            models.CheckConstraint(
                condition=models.Q(currency__in=list(CURRENCY_EXPONENTS)), name="show_currency_supported"
            ),
            time_zone_constraint(field="time_zone", name="show_time_zone_iana"),
        ]

    def __str__(self) -> str:
        return self.title

    # A draft's title is private, and so is whether a title is taken: a show created as a draft (as the
    # portal and the API create them) gets a random suffix (``friday-laughs-k3x9qa``) even when the plain
    # slug is free, so no draft ever holds a plain slug another producer could probe. Slugs never change
    # afterwards: the API and links use them.
    @property
    def slug_always_suffixed(self) -> bool:
        return not self.published

    @property
    def is_public(self) -> bool:
        return self.published and not self.is_deleted


class Ticket(KeepsCountersModel, TimeStampedModel):
    """Ticket: a ticket type on sale for a show (e.g. "General admission", "VIP", "Pay what you can").

    ``quantity`` is the number for sale; ``quantity_sold`` counts paid tickets and is only changed
    by the order services under a row lock. The database refuses to sell more than ``quantity``.
    ``quantity_held`` counts the tickets in active holds, including holds whose time is up but that
    have not been released yet; it lets checkout take capacity with one conditional UPDATE (see
    ``orders.services``). Availability for display is always counted from the live holds themselves.
    For donation-based tickets ``price`` is the minimum the buyer may pay.
    """

    counter_fields = ("quantity_sold", "quantity_held")

    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="tickets")
    name = models.CharField(max_length=120)
    description = SanitizedHTMLField(blank=True)
    quantity = models.PositiveIntegerField()
    quantity_sold = models.PositiveIntegerField(default=0, editable=False)
    quantity_held = models.PositiveIntegerField(
        default=0, editable=False, help_text="Tickets in active holds (expired ones too until they are released)."
    )
    price = models.DecimalField(**MONEY)
    is_donation_based = models.BooleanField(
        default=False, help_text="Buyers choose what to pay; the price is the minimum."
    )
    is_active = models.BooleanField(default=True, help_text="Inactive ticket types are not on sale.")
    sales_start = models.DateTimeField(null=True, blank=True)
    sales_end = models.DateTimeField(null=True, blank=True)
    max_per_order = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])
    sort_order = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_tickets",
    )

    class Meta:
        ordering = ["show", "sort_order", "id"]
        verbose_name = "ticket type"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0),
                name="ticket_price_gte_0",
                violation_error_message="Price can't be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_sold__lte=models.F("quantity")),
                name="ticket_sold_within_quantity",
                violation_error_message="Quantity can't be lower than the number already sold.",
            ),
            models.CheckConstraint(
                condition=models.Q(sales_start__isnull=True)
                | models.Q(sales_end__isnull=True)
                | models.Q(sales_start__lt=models.F("sales_end")),
                name="ticket_sales_window_ordered",
                violation_error_message="Sales must end after they start.",
            ),
            models.CheckConstraint(
                condition=models.Q(max_per_order__isnull=True) | models.Q(max_per_order__gte=1),
                name="ticket_max_per_order_gte_1",
                violation_error_message="The most per order must be at least 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.show}"


class TicketPromoCode(KeepsCountersModel, TimeStampedModel):
    """TicketPromoCode: a discount code for one show, matched ignoring case.

    ``discount`` is a percentage (0–100) or a fixed amount per ticket, by ``discount_type``.
    When ``tickets`` is empty the code applies to every ticket type of the show.
    ``times_used`` is changed only by the order services under a row lock.
    """

    class DiscountType(models.TextChoices):
        PERCENT = "percent", "Percentage"
        FIXED = "fixed", "Fixed amount per ticket"

    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="promo_codes")
    counter_fields = ("times_used",)

    code = models.CharField(max_length=40)
    discount_type = models.CharField(max_length=10, choices=DiscountType.choices, default=DiscountType.PERCENT)
    discount = models.DecimalField(**MONEY)
    tickets = models.ManyToManyField(
        Ticket, blank=True, related_name="promo_codes", help_text="Leave empty to apply to every ticket type."
    )
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Orders that may use it; empty = no limit.")
    times_used = models.PositiveIntegerField(default=0, editable=False)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "promo code"
        constraints = [
            models.UniqueConstraint(
                Lower("code"),
                "show",
                name="promocode_code_ci_unique_per_show",
                violation_error_message="This show already has a promo code with that name.",
            ),
            models.CheckConstraint(
                condition=models.Q(discount__gt=0),
                name="promocode_discount_gt_0",
                violation_error_message="The discount must be more than zero.",
            ),
            models.CheckConstraint(
                condition=~models.Q(discount_type="percent") | models.Q(discount__lte=100),
                name="promocode_percent_lte_100",
                violation_error_message="A percentage discount can't exceed 100.",
            ),
            models.CheckConstraint(
                condition=models.Q(max_uses__isnull=True) | models.Q(times_used__lte=models.F("max_uses")),
                name="promocode_uses_within_limit",
                violation_error_message="The use limit can't be lower than the uses already made.",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_until__isnull=True)
                | models.Q(valid_from__lt=models.F("valid_until")),
                name="promocode_validity_ordered",
                violation_error_message="The code must stop being valid after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.show})"


class TicketPageDesign(TimeStampedModel):
    """TicketPageDesign: colours and background of a show's ticket page."""

    show = models.OneToOneField(Show, on_delete=models.CASCADE, related_name="page_design")
    primary_color = models.CharField(max_length=7, default="#B3125B", validators=[hex_color])
    secondary_color = models.CharField(max_length=7, default="#1F1A2E", validators=[hex_color])
    background_image = models.ImageField(upload_to="shows/backgrounds/", blank=True)
    image_variants = models.JSONField(
        default=dict, blank=True, editable=False, help_text="WebP renditions made from the uploaded images."
    )

    class Meta:
        verbose_name = "ticket page design"

    def __str__(self) -> str:
        return f"Design of {self.show}"


class FeaturedShow(TimeStampedModel):
    """FeaturedShow: a show placed on the storefront home page, in ``order``."""

    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="featured_placements")
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "featured show"

    def __str__(self) -> str:
        return f"#{self.order} {self.show}"
