"""Orders in the admin: read-only money, the attendee table, and refunds after a confirmation page."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
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
from piquetickets.core.money import format_money

from .api import RefundRequestSerializer
from .errors import RefundChanged, RefundInvalid
from .models import MetaPurchase, Order, Refund, TicketAttendee, TicketHold, TicketOrder
from .services import RefundQuote, order_refund, refund_quote, ticket_refund_share
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


def seen_amount(value: str | None) -> Decimal | None:
    """An amount a confirmation page sent back (what it showed), or ``None`` when missing or garbled."""
    try:
        return Decimal(value or "")
    except (InvalidOperation, ValueError):
        return None


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
    readonly_fields = [*ORDER_MONEY_AND_PAYMENT, "ticket_count", "attendee_table"]
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
        ("Tickets", {"fields": ["ticket_count", "attendee_table"]}),
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
        """One order: its refund page. Several: a confirmation page, then each is refunded in full.

        The confirmation page lists what each order would get back now (``refund_quote``) and sends
        back the refunded amount it saw for each; an order whose refunded amount differs by the time
        it is refunded is skipped (``order_refund`` checks it under the order's row lock), the others
        are refunded, so nothing is refunded other than what the page showed.
        """
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
            "orders": [self._bulk_row(order) for order in orders],
            "reason": request.POST.get("reason", ""),
            "reason_errors": reason_errors,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        status = 422 if reason_errors else 200
        return TemplateResponse(request, "admin/orders/order/refund_selected.html", context, status=status)

    @staticmethod
    def _bulk_row(order: Order) -> dict:
        """One order on the bulk confirmation page: what refunding it in full gives back now, or why it can't."""
        try:
            quote = refund_quote(order=order)
        except RefundInvalid as error:
            quote, problem = None, error.message
        else:
            problem = ""
        return {
            "order": order,
            "total": format_money(order.total, order.currency),
            "refund": format_money(quote.amount, order.currency) if quote else "",
            "tickets": len(quote.attendees) if quote else 0,
            "problem": problem,
            "seen_field": f"seen-{order.pk}",
            "seen": str(order.refunded_amount),
        }

    @staticmethod
    def _refundable(order: Order) -> str:
        return format_money(order.total - order.refunded_amount, order.currency)

    def _refund_in_full(self, request, orders: list[Order], *, reason: str) -> None:
        done, refused = 0, []
        for order in orders:
            seen = seen_amount(request.POST.get(f"seen-{order.pk}"))
            try:
                if seen is None:  # not on the confirmation page that was sent
                    raise RefundChanged()
                order_refund(order=order, reason=reason, by=request.user, expected_refunded=seen)
                done += 1
            except RefundChanged:
                order.refresh_from_db()
                refunded = format_money(order.refunded_amount, order.currency)
                refused.append(
                    f"{order_reference(order)}: not refunded, because it changed while the refunds were being "
                    f"reviewed ({refunded} is refunded now). Select it again to review it."
                )
            except ApplicationError as error:
                refused.append(f"{order_reference(order)}: {error.message}")
        if done:
            self.message_user(request, f"Refunded {done} order(s) in full.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @action(description="Refund…", url_path="refund", permissions=["change"], icon="undo")
    def refund_order(self, request, object_id):
        """The refund page: choose what to refund, review it, confirm it (or cancel and change nothing).

        The review is ``refund_quote`` — the refund service's own rules — and confirming calls
        ``order_refund`` with what the review showed: the refunded amount it was worked out from and
        the amount it showed. The service checks both under the order's row lock, so a second submit
        of the same confirmation, or one reviewed before another refund, changes nothing (409).
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
            if "_change" in request.POST:
                return self._refund_page(request, order, attendees, form)
            try:
                quote = self._quote(order, form)
            except RefundInvalid as error:
                form.add_service_error(error)
                return self._refund_page(request, order, attendees, form, status=422)
            return self._refund_page(request, order, attendees, form, quote=quote)
        seen, shown = seen_amount(request.POST.get("seen")), seen_amount(request.POST.get("shown"))
        try:
            if seen is None or shown is None:  # not sent from a confirmation page
                raise RefundChanged()
            refund = order_refund(
                order=order, by=request.user, expected_refunded=seen, expected_amount=shown, **form.service_arguments()
            )
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
    def _quote(order: Order, form: RefundForm) -> RefundQuote:
        arguments = form.service_arguments()
        return refund_quote(order=order, attendee_uuids=arguments["attendee_uuids"], amount=arguments["amount"])

    @staticmethod
    def _changed_meanwhile(order: Order) -> str:
        refunded = format_money(order.refunded_amount, order.currency)
        return f"This order changed while the refund was being reviewed ({refunded} is refunded now). Review it again."

    def _refund_page(self, request, order, attendees, form, *, quote: RefundQuote | None = None, status=200):
        """The choosing step, or with ``quote`` the confirmation step showing it."""
        form.describe_errors()
        shares = {a.pk: format_money(ticket_refund_share(a, order.currency), order.currency) for a in attendees}
        context = {
            **self.admin_site.each_context(request),
            "title": f"Refund order {order_reference(order)}",
            "opts": self.opts,
            "original": order,
            "order": order,
            "form": form,
            "step": "confirm" if quote else "choose",
            "preview": quote,
            "ticket_rows": [
                (box, attendee, shares[attendee.pk]) for box, attendee in zip(form["attendees"], attendees, strict=True)
            ],
            "money": {
                "total": format_money(order.total, order.currency),
                "refunded": format_money(order.refunded_amount, order.currency),
                "refundable": self._refundable(order),
            },
            "seen": str(order.refunded_amount),
            "shown": str(quote.amount) if quote else "",
            "change_url": reverse("admin:orders_order_change", args=[order.pk]),
            "order_title": f"Refund order {order_reference(order)}",
            "media": self.media,
        }
        if quote:
            amount = format_money(quote.amount, order.currency)
            context["confirm_title"] = f"Refund {amount}?"
            context["preview_money"] = {
                "amount": amount,
                "after": format_money(quote.remaining_after, order.currency),
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


@admin.register(MetaPurchase)
class MetaPurchaseAdmin(ReadOnlyAdmin):
    """Purchase events for Meta's Conversions API: whether each paid order's was sent, and why not."""

    list_display = ["order", "status", "attempts", "next_attempt_at", "sent_at", "last_error", "created_at"]
    list_filter = ["status"]
    search_fields = ["order__uuid", "order__email"]
    list_select_related = ["order"]
    exclude = ["user_agent", "ip_address", "fbp", "fbc"]  # the buyer's browser: not for browsing
