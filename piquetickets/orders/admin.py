"""Orders in the admin: read-only money, the attendee table, and refunds after a confirmation page."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminRadioSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from piquetickets.core.admin import ReadOnlyAdmin
from piquetickets.core.errors import ApplicationError
from piquetickets.core.money import format_money, quantize

from .api import RefundRequestSerializer
from .errors import RefundChanged
from .models import Order, Refund, TicketAttendee, TicketHold, TicketOrder
from .pricing import ZERO
from .services import _ticket_share, order_refund
from .tickets import order_reference, show_local, valid_attendees

ADMIN_CSS = "orders/admin/admin-pages.css"

ORDER_MONEY_AND_PAYMENT = [
    "uuid",
    "show",
    "status",
    "provider",
    "session_id",
    "payment_intent_id",
    "charge_id",
    "currency",
    "subtotal",
    "promo_code",
    "promo_code_discount",
    "payment_processing_fees",
    "platform_fees",
    "fees_passed_to_buyer",
    "total",
    "refunded_amount",
    "success",
    "time_of_purchase",
    "hold_expires_at",
    "created_at",
    "updated_at",
]


class ReadOnlyInline(TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TicketOrderInline(ReadOnlyInline):
    model = TicketOrder
    fields = [
        "ticket",
        "quantity",
        "price_per_ticket",
        "donation_amount",
        "discount_amount",
        "total_price",
        "promo_code",
    ]
    readonly_fields = fields


class HoldInline(ReadOnlyInline):
    model = TicketHold
    fields = ["ticket", "quantity", "status", "expires_at", "created_at"]
    readonly_fields = fields


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["amount", "status", "reason", "provider_refund_id", "created_by", "created_at"]
    readonly_fields = fields


# --- refunds ---------------------------------------------------------------------------------------


class RefundForm(forms.Form):
    """What staff choose on an order's refund page: the whole order, some tickets, or an amount.

    The form only shapes the answer into the producer refund API's request; that request's
    serializer checks it, and the refund service (which the API calls too) decides the rest.
    """

    WHOLE, TICKETS, AMOUNT = "whole", "tickets", "amount"

    what = forms.ChoiceField(
        label="Kind of refund",
        choices=[(WHOLE, "The whole order"), (TICKETS, "Chosen tickets"), (AMOUNT, "An amount of money")],
        initial=WHOLE,
        widget=UnfoldAdminRadioSelectWidget,
    )
    attendees = forms.MultipleChoiceField(
        label="Tickets to refund",
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
        help_text="Only for “Chosen tickets”.",
    )
    amount = forms.CharField(
        label="Amount",
        required=False,
        widget=UnfoldAdminTextInputWidget(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text="Only for “An amount of money”, e.g. 12.50.",
    )
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}),
        help_text="Kept with the refund and shown to the buyer in the refund email.",
    )

    # Which field a refund service error belongs to, by the key of its ``extra``.
    ERROR_FIELDS = {"attendees": "attendees", "amount": "amount", "remaining": "amount"}

    def __init__(self, *args, attendees: list[TicketAttendee], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = [(str(a.uuid), f"{a.first_name} {a.last_name}") for a in attendees]
        self.refund_request: dict = {}

    def clean(self):
        cleaned = super().clean()
        what = cleaned.get("what")
        body = {"reason": cleaned.get("reason", "")}
        if what == self.TICKETS:
            if not cleaned.get("attendees"):
                self.add_error("attendees", "Choose the tickets to refund.")
            body["attendees"] = cleaned.get("attendees") or []
        elif what == self.AMOUNT:
            if not cleaned.get("amount", "").strip():
                self.add_error("amount", "Enter the amount to give back.")
            body["amount"] = cleaned.get("amount", "").strip()
        if self.errors:
            return cleaned
        api_request = RefundRequestSerializer(data=body)
        if api_request.is_valid():
            self.refund_request = api_request.validated_data
        else:
            for name, errors in api_request.errors.items():
                if isinstance(errors, dict):  # one list entry's errors, by its index
                    errors = [message for messages_ in errors.values() for message in messages_]
                self.add_error(name if name in self.fields else None, [str(e) for e in errors])
        return cleaned

    def add_service_error(self, error: ApplicationError) -> None:
        """Show a refund service error next to the field it is about, else at the top."""
        fields = [self.ERROR_FIELDS[key] for key in error.extra if key in self.ERROR_FIELDS]
        self.add_error(fields[0] if fields else None, error.message)

    def service_arguments(self) -> dict:
        """``order_refund``'s arguments, as the refund API passes them."""
        data = self.refund_request
        return {
            "attendee_uuids": [str(u) for u in data.get("attendees") or []] or None,
            "amount": data.get("amount"),
            "reason": data.get("reason", ""),
        }

    def describe_errors(self) -> None:
        """Tie each field to its hint and error message (``aria-describedby``) for screen readers."""
        for name in ("amount",):
            self.fields[name].widget.attrs["aria-describedby"] = f"{name}-hint"
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-describedby"] = " ".join(filter(None, [attrs.get("aria-describedby"), f"{name}-error"]))
                attrs["aria-invalid"] = "true"


@dataclass
class RefundPreview:
    """What confirming will refund, worked out from the order as it is now."""

    amount: Decimal
    refunded: list[TicketAttendee]  # tickets that stop admitting
    staying: list[TicketAttendee]  # tickets that stay valid
    refundable: Decimal  # not refunded yet, before this refund

    @property
    def refundable_after(self) -> Decimal:
        return self.refundable - self.amount


def refund_preview(*, order: Order, attendees: list[TicketAttendee], form: RefundForm) -> RefundPreview:
    """The refund ``form`` asks for, as ``order_refund`` will make it: the whole order gives back all
    that is not refunded yet; chosen tickets their share of their line (all of them: everything left);
    an amount just that."""
    refundable = order.total - order.refunded_amount
    arguments = form.service_arguments()
    chosen_uuids = set(arguments["attendee_uuids"] or [])
    if arguments["attendee_uuids"]:
        refunded = [a for a in attendees if str(a.uuid) in chosen_uuids]
    elif arguments["amount"] is None:
        refunded = list(attendees)
    else:
        refunded = []
    if arguments["amount"] is not None:
        amount = arguments["amount"]
    elif len(refunded) == len(attendees):
        amount = refundable
    else:
        amount = sum((_ticket_share(a, order.currency) for a in refunded), ZERO)
    staying = [a for a in attendees if a not in refunded]
    return RefundPreview(
        amount=quantize(amount, order.currency), refunded=refunded, staying=staying, refundable=refundable
    )


def _refund_key(token: str) -> str:
    return f"admin:refund-confirmed:{token}"


@admin.register(Order)
class OrderAdmin(ModelAdmin):
    list_display = ["short_uuid", "show", "buyer", "email", "status", "total", "currency", "time_of_purchase"]
    list_filter = [
        "status",
        "success",
        "provider",
        "currency",
        ("time_of_purchase", admin.DateFieldListFilter),
    ]
    search_fields = [
        "uuid",
        "email",
        "first_name",
        "last_name",
        "session_id",
        "payment_intent_id",
        "show__title",
    ]
    date_hierarchy = "created_at"
    readonly_fields = [*ORDER_MONEY_AND_PAYMENT, "attendee_table"]
    fieldsets = [
        ("Buyer", {"fields": ["first_name", "last_name", "email", "phone"]}),
        ("Order", {"fields": ["uuid", "show", "status", "success", "time_of_purchase", "hold_expires_at"]}),
        (
            "Money",
            {
                "fields": [
                    "currency",
                    "subtotal",
                    "promo_code",
                    "promo_code_discount",
                    "payment_processing_fees",
                    "platform_fees",
                    "fees_passed_to_buyer",
                    "total",
                    "refunded_amount",
                ]
            },
        ),
        ("Payment", {"fields": ["provider", "session_id", "payment_intent_id", "charge_id"]}),
        ("Tickets", {"fields": ["attendee_table"]}),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [TicketOrderInline, HoldInline, RefundInline]
    list_select_related = ["show"]

    actions = ["refund_selected"]
    actions_detail = ["refund_order"]

    class Media:
        css = {"all": [ADMIN_CSS]}

    def has_add_permission(self, request):
        return False  # orders only come from checkout

    def has_delete_permission(self, request, obj=None):
        return False  # money history is never deleted

    # --- refunding -------------------------------------------------------------------------------

    @admin.action(description="Refund selected orders…", permissions=["change"])
    def refund_selected(self, request, queryset):
        """One order: its refund page. Several: a confirmation page, then each is refunded in full."""
        orders = list(queryset.select_related("show").order_by("pk"))
        if len(orders) == 1:
            return HttpResponseRedirect(reverse("admin:orders_order_refund_order", args=[orders[0].pk]), status=303)
        reason_errors = []
        if request.POST.get("post") == "yes":
            body = RefundRequestSerializer(data={"reason": request.POST.get("reason", "")})
            if body.is_valid():
                self._refund_in_full(request, orders, reason=body.validated_data["reason"])
                return None
            reason_errors = [str(error) for error in body.errors.get("reason", [])]
        context = {
            **self.admin_site.each_context(request),
            "title": "Refund these orders in full?",
            "opts": self.opts,
            "orders": [(order, format_money(order.total, order.currency), self._refundable(order)) for order in orders],
            "reason": request.POST.get("reason", ""),
            "reason_errors": reason_errors,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        status = 422 if reason_errors else 200
        return TemplateResponse(request, "admin/orders/order/refund_selected.html", context, status=status)

    @staticmethod
    def _refundable(order: Order) -> str:
        return format_money(order.total - order.refunded_amount, order.currency)

    def _refund_in_full(self, request, orders: list[Order], *, reason: str) -> None:
        done, refused = 0, []
        for order in orders:
            try:
                order_refund(order=order, reason=reason, by=request.user)
                done += 1
            except ApplicationError as error:
                refused.append(f"{order_reference(order)}: {error.message}")
        if done:
            self.message_user(request, f"Refunded {done} order(s) in full.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @action(description="Refund…", url_path="refund", permissions=["change"], icon="undo")
    def refund_order(self, request, object_id):
        """The refund page: choose what to refund, review it, confirm it (or cancel and change nothing).

        Confirming calls ``order_refund`` — the refund API's service — with what the review showed. A
        confirmation counts once: its one-time key is spent before the refund is made, and the order
        must still have the refunded total the review was worked out from.
        """
        order = self.get_object(request, unquote(object_id))
        if order is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        attendees = valid_attendees(order)
        if request.method != "POST":
            return self._refund_page(request, order, attendees, RefundForm(attendees=attendees))
        form = RefundForm(request.POST, attendees=attendees)
        if not form.is_valid():
            return self._refund_page(request, order, attendees, form, status=422)
        if "_confirm" not in request.POST:  # reviewing, or going back to change the choice
            step = "choose" if "_change" in request.POST else "confirm"
            return self._refund_page(request, order, attendees, form, step=step)
        token = request.POST.get("token", "")
        if not token or not cache.add(_refund_key(token), order.pk, timeout=24 * 3600):
            form.add_error(None, "This refund was already confirmed; it is not made twice.")
            return self._refund_page(request, order, attendees, form, status=409)
        try:
            seen = Decimal(request.POST.get("seen", ""))
        except ArithmeticError:
            seen = None
        try:
            if seen is None:
                raise RefundChanged()
            refund = order_refund(order=order, by=request.user, expected_refunded=seen, **form.service_arguments())
        except RefundChanged:
            order.refresh_from_db()
            form.add_error(None, self._changed_meanwhile(order))
            return self._refund_page(request, order, valid_attendees(order), form, status=409)
        except ApplicationError as error:
            form.add_service_error(error)
            order.refresh_from_db()
            return self._refund_page(request, order, valid_attendees(order), form, status=422)
        stopped = refund.attendees.count()
        tickets = f"; {stopped} ticket(s) no longer admit" if stopped else "; every ticket stays valid"
        self.message_user(
            request,
            f"Refunded {format_money(refund.amount, order.currency)} of order {order_reference(order)}{tickets}.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]), status=303)

    @staticmethod
    def _changed_meanwhile(order: Order) -> str:
        refunded = format_money(order.refunded_amount, order.currency)
        return f"This order changed while the refund was being reviewed ({refunded} is refunded now). Review it again."

    def _refund_page(self, request, order, attendees, form, *, step="choose", status=200):
        form.describe_errors()
        preview = refund_preview(order=order, attendees=attendees, form=form) if step == "confirm" else None
        shares = {a.pk: format_money(_ticket_share(a, order.currency), order.currency) for a in attendees}
        context = {
            **self.admin_site.each_context(request),
            "title": f"Refund order {order_reference(order)}",
            "opts": self.opts,
            "original": order,
            "order": order,
            "form": form,
            "step": step,
            "preview": preview,
            "ticket_rows": [
                (box, attendee, shares[attendee.pk]) for box, attendee in zip(form["attendees"], attendees, strict=True)
            ],
            "money": {
                "total": format_money(order.total, order.currency),
                "refunded": format_money(order.refunded_amount, order.currency),
                "refundable": self._refundable(order),
            },
            "seen": str(order.refunded_amount),
            "token": secrets.token_urlsafe(16) if step == "confirm" else "",
            "change_url": reverse("admin:orders_order_change", args=[order.pk]),
            "order_title": f"Refund order {order_reference(order)}",
            "media": self.media,
        }
        if preview:
            amount = format_money(preview.amount, order.currency)
            context["confirm_title"] = f"Refund {amount}?"
            context["preview_money"] = {
                "amount": amount,
                "after": format_money(preview.refundable_after, order.currency),
            }
        return TemplateResponse(request, "admin/orders/order/refund.html", context, status=status)

    # --- list and page ---------------------------------------------------------------------------

    @admin.display(description="Order", ordering="uuid")
    def short_uuid(self, obj: Order) -> str:
        return str(obj.uuid)[:8]

    @admin.display(description="Buyer", ordering="last_name")
    def buyer(self, obj: Order) -> str:
        return f"{obj.first_name} {obj.last_name}"

    @admin.display(description="Attendees")
    def attendee_table(self, obj: Order) -> str:
        attendees = (
            TicketAttendee.objects.filter(ticket_order__order=obj)
            .select_related("ticket_order__ticket", "checked_in_session")
            .order_by("ticket_order_id", "pk")
        )
        rows = []
        for attendee in attendees:
            checked_in = door = ""
            if attendee.is_checked_in and attendee.checked_in_at:
                local = show_local(obj.show, attendee.checked_in_at)
                checked_in = f"{local:%a %d %b %Y, %H:%M %Z}"
                session = attendee.checked_in_session
                if session is not None:
                    door = session.label or f"Door link {str(session.session_id)[:8]}"
            rows.append({"attendee": attendee, "checked_in": checked_in, "door": door})
        return render_to_string("admin/orders/order/attendee_table.html", {"rows": rows, "show": obj.show})


@admin.register(TicketOrder)
class TicketOrderAdmin(ReadOnlyAdmin):
    list_display = [
        "order",
        "ticket",
        "quantity",
        "price_per_ticket",
        "discount_amount",
        "total_price",
        "created_at",
    ]
    search_fields = ["uuid", "order__uuid", "order__email", "ticket__name"]
    list_select_related = ["order", "ticket"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TicketAttendee)
class TicketAttendeeAdmin(ModelAdmin):
    list_display = ["first_name", "last_name", "email", "show", "status", "is_checked_in", "checked_in_at"]
    list_filter = ["status", "is_checked_in"]
    search_fields = ["uuid", "first_name", "last_name", "email", "ticket_order__order__uuid", "show__title"]
    readonly_fields = [
        "uuid",
        "show",
        "ticket_order",
        "status",
        "is_checked_in",
        "checked_in_at",
        "checked_in_session",
        "created_at",
        "updated_at",
    ]
    list_select_related = ["show"]

    def has_add_permission(self, request):
        return False


@admin.register(TicketHold)
class TicketHoldAdmin(ReadOnlyAdmin):
    list_display = ["order", "ticket", "quantity", "status", "expires_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["order__uuid", "order__email", "ticket__name"]
    list_select_related = ["order", "ticket"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["order", "amount", "status", "reason", "provider_refund_id", "created_at"]
    list_filter = ["status"]
    search_fields = ["order__uuid", "order__email", "provider_refund_id"]
    list_select_related = ["order"]
