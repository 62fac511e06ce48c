from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from unfold.admin import ModelAdmin, TabularInline

from piquetickets.core.admin import ReadOnlyAdmin
from piquetickets.core.errors import ApplicationError

from .models import Order, Refund, TicketAttendee, TicketHold, TicketOrder
from .services import order_refund

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

    actions = ["refund_in_full"]

    def has_add_permission(self, request):
        return False  # orders only come from checkout

    @admin.action(description="Refund selected orders in full (through the payment provider)")
    def refund_in_full(self, request, queryset):
        done, refused = 0, []
        for order in queryset:
            try:
                order_refund(order=order, reason="Refunded by platform staff.", by=request.user)
                done += 1
            except ApplicationError as error:
                refused.append(f"{str(order.uuid)[:8]}: {error.message}")
        if done:
            self.message_user(request, f"Refunded {done} order(s).", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    def has_delete_permission(self, request, obj=None):
        return False  # money history is never deleted

    @admin.display(description="Order", ordering="uuid")
    def short_uuid(self, obj: Order) -> str:
        return str(obj.uuid)[:8]

    @admin.display(description="Buyer", ordering="last_name")
    def buyer(self, obj: Order) -> str:
        return f"{obj.first_name} {obj.last_name}"

    @admin.display(description="Attendees")
    def attendee_table(self, obj: Order) -> str:
        attendees = TicketAttendee.objects.filter(ticket_order__order=obj).select_related("ticket_order__ticket")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{a.first_name} {a.last_name}",
                    a.email,
                    a.ticket_order.ticket.name,
                    a.uuid,
                    a.get_status_display(),
                    a.checked_in_at.isoformat(timespec="minutes") if a.is_checked_in else "—",
                )
                for a in attendees
            ),
        )
        if not rows:
            return "No tickets issued yet."
        return format_html(
            '<table class="w-full text-left"><thead><tr><th>Name</th><th>Email</th><th>Ticket</th>'
            "<th>UUID</th><th>Status</th><th>Checked in</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )


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
