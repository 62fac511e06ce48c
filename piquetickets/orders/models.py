"""Orders, their lines (TicketOrder), the admitted people (TicketAttendee), holds and refunds.

Where the seed draws TicketOrder and Order as many-to-many, a TicketOrder here belongs to exactly
one Order (a line of that order), and each TicketAttendee to exactly one TicketOrder.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from piquetickets.core.models import TimeStampedModel
from piquetickets.core.money import CURRENCY_CHOICES

MONEY = {"max_digits": 10, "decimal_places": 2}


def new_public_token() -> str:
    """256 random bits, URL-safe: the key of the buyer's order page (no account needed)."""
    return secrets.token_urlsafe(32)


class Order(TimeStampedModel):
    """Order: one buyer's purchase for one show, paid (or not) in one payment.

    ``status`` is the lifecycle; ``success`` (the seed's flag) is true once payment was captured and
    the tickets issued, and stays true after a refund (``status`` then says refunded).
    Money fields are in the show's ``currency``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending payment"
        PAID = "paid", "Paid"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"

    class Provider(models.TextChoices):
        STRIPE = "stripe", "Stripe"
        TEST = "test", "Test payments"
        FREE = "free", "Free"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    public_token = models.CharField(max_length=64, unique=True, default=new_public_token, editable=False)
    show = models.ForeignKey("shows.Show", on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    provider = models.CharField(max_length=10, choices=Provider.choices)
    session_id = models.CharField(max_length=255, blank=True, help_text="Payment provider's checkout session.")
    payment_intent_id = models.CharField(max_length=255, blank=True)
    charge_id = models.CharField(max_length=255, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    subtotal = models.DecimalField(**MONEY, default=0, help_text="Tickets and donations before discount and fees.")
    promo_code_discount = models.DecimalField(**MONEY, default=0)
    payment_processing_fees = models.DecimalField(**MONEY, default=0)
    platform_fees = models.DecimalField(**MONEY, default=0)
    fees_passed_to_buyer = models.BooleanField(default=True)
    total = models.DecimalField(**MONEY, default=0, help_text="What the buyer pays.")
    refunded_amount = models.DecimalField(**MONEY, default=0)
    ticket_count = models.PositiveIntegerField(
        default=0,
        help_text="Admissions bought: the lines' quantities added up when the order is placed (lines never change "
        "after). Kept here so lists and totals over thousands of orders need not read the lines.",
    )
    success = models.BooleanField(default=False)
    time_of_purchase = models.DateTimeField(null=True, blank=True, help_text="When payment was confirmed.")
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    promo_code = models.ForeignKey(
        "shows.TicketPromoCode", on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["session_id"], name="order_session_idx"),
            models.Index(fields=["payment_intent_id"], name="order_payment_intent_idx"),
            models.Index(fields=["email", "show"], name="order_email_show_idx"),
            models.Index(fields=["show", "success"], name="order_show_success_idx"),
            models.Index(fields=["time_of_purchase"], name="order_time_of_purchase_idx"),
            models.Index(fields=["success", "time_of_purchase"], name="order_success_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    subtotal__gte=0,
                    promo_code_discount__gte=0,
                    payment_processing_fees__gte=0,
                    platform_fees__gte=0,
                    total__gte=0,
                    refunded_amount__gte=0,
                ),
                name="order_money_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_amount__lte=models.F("total")), name="order_refund_within_total"
            ),
            models.CheckConstraint(
                condition=models.Q(success=False) | models.Q(time_of_purchase__isnull=False),
                name="order_success_has_purchase_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Order {str(self.uuid)[:8]} — {self.first_name} {self.last_name}"


class TicketOrder(models.Model):
    """TicketOrder: one line of an order — a quantity of one ticket type at one price.

    ``price_per_ticket`` is what one ticket cost before discount (for donation-based tickets the
    buyer's chosen amount, also kept in ``donation_amount``); ``total_price`` is the line after
    ``discount_amount``. ``promo_code`` keeps the code as typed at purchase.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="ticket_orders")
    ticket = models.ForeignKey("shows.Ticket", on_delete=models.PROTECT, related_name="ticket_orders")
    quantity = models.PositiveIntegerField()
    donation_amount = models.DecimalField(**MONEY, default=0)
    price_per_ticket = models.DecimalField(**MONEY)
    discount_amount = models.DecimalField(**MONEY, default=0)
    total_price = models.DecimalField(**MONEY)
    promo_code = models.CharField(max_length=40, blank=True)
    is_vip = models.BooleanField(default=False)
    attendee_names = models.JSONField(
        default=list,
        blank=True,
        help_text='Names given at checkout, one per ticket ([{"first_name", "last_name"}]); the buyer\'s name '
        "fills the rest when the attendees are created.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "order line"
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="ticketorder_quantity_gte_1"),
            models.CheckConstraint(
                condition=models.Q(
                    donation_amount__gte=0,
                    price_per_ticket__gte=0,
                    discount_amount__gte=0,
                    total_price__gte=0,
                ),
                name="ticketorder_money_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.ticket.name}"


class TicketAttendee(TimeStampedModel):
    """TicketAttendee: one admission — one ticket with its own UUID (the QR code) and holder name."""

    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        REFUNDED = "refunded", "Refunded"
        CANCELLED = "cancelled", "Cancelled"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    show = models.ForeignKey("shows.Show", on_delete=models.PROTECT, related_name="attendees")
    ticket_order = models.ForeignKey(TicketOrder, on_delete=models.CASCADE, related_name="attendees")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VALID)
    is_checked_in = models.BooleanField(default=False)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_session = models.ForeignKey(
        "checkin.CheckInSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="admitted"
    )

    class Meta:
        verbose_name = "attendee"
        indexes = [
            models.Index(fields=["email", "show"], name="attendee_email_show_idx"),
            models.Index(fields=["show", "is_checked_in"], name="attendee_show_checkedin_idx"),
            # The portal's attendees list of one show, by surname (orders.selectors.producer_attendees):
            # its page is read from this index instead of sorting every ticket of the show.
            models.Index(
                models.F("show"),
                models.F("status"),
                Lower("last_name"),
                Lower("first_name"),
                models.F("id"),
                name="attendee_show_surname_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_checked_in=False) | models.Q(checked_in_at__isnull=False),
                name="attendee_checked_in_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({str(self.uuid)[:8]})"


class TicketHold(models.Model):
    """A reservation of some tickets of one type for a pending order, until ``expires_at``.

    Live holds (``status=active`` and not yet expired) count against availability:
    ``available = quantity − quantity_sold − live holds``. An expired hold stops counting at once;
    a periodic task marks it released. Fulfilment marks it converted.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CONVERTED = "converted", "Converted to sold tickets"
        RELEASED = "released", "Released"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="holds")
    ticket = models.ForeignKey("shows.Ticket", on_delete=models.CASCADE, related_name="holds")
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["ticket", "expires_at"],
                name="hold_live_by_ticket_idx",
                condition=models.Q(status="active"),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="hold_quantity_gte_1"),
            models.UniqueConstraint(fields=["order", "ticket"], name="hold_one_per_order_ticket"),
        ]

    def __str__(self) -> str:
        return f"Hold of {self.quantity} × {self.ticket_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class Refund(TimeStampedModel):
    """A refund of part or all of an order, through the order's payment provider."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(**MONEY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=255, blank=True)
    provider_refund_id = models.CharField(max_length=255, blank=True, db_index=True)
    attendees = models.ManyToManyField(TicketAttendee, blank=True, related_name="refunds")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_gt_0")]

    def __str__(self) -> str:
        return f"Refund {self.amount} {self.order.currency} of {self.order}"


class MetaPurchase(models.Model):
    """A paid order's Purchase event for Meta's Conversions API (``orders/tracking.py``): what it is
    told about the buyer's browser, and whether it was sent. One per order, so it is sent once.

    Written only while ``META_CONVERSIONS_API_TOKEN`` is set: at checkout (the browser's user agent,
    address and Meta's ``_fbp``/``_fbc`` cookies, which Meta needs to match a website event) and when
    the order is fulfilled (``next_attempt_at``: due now). The browser fields are blanked once the
    event is sent or given up, or after seven days (Meta takes no older events).
    """

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        SENT = "sent", "Sent"
        FAILED = "failed", "Given up"

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="meta_purchase")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    user_agent = models.CharField(max_length=512, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    fbp = models.CharField(max_length=255, blank=True)
    fbc = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="When to send (again); empty until paid.")
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["next_attempt_at"], name="meta_purchase_due_idx", condition=models.Q(status="waiting"))
        ]

    def __str__(self) -> str:
        return f"Meta Purchase of order {self.order_id} ({self.status})"
