from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from piquetickets.core.admin import ReadOnlyAdmin

from . import services
from .models import WebhookEvent


class NeedsAttentionFilter(admin.SimpleListFilter):
    """Events whose payment doesn't match its order and that nobody has settled yet."""

    title = "needs attention"
    parameter_name = "needs_attention"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status=WebhookEvent.Status.NEEDS_ATTENTION)
        if self.value() == "no":
            return queryset.exclude(status=WebhookEvent.Status.NEEDS_ATTENTION)
        return queryset


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "type", "status", "order_link", "attention_reason", "received_at", "processed_at"]
    list_filter = [NeedsAttentionFilter, "status", "provider", "type"]
    list_select_related = ["order"]
    search_fields = ["event_id", "type", "order__uuid"]
    date_hierarchy = "received_at"
    readonly_fields = ["order_link"]
    fields = [
        "provider",
        "event_id",
        "type",
        "status",
        "order_link",
        "attention_reason",
        "settled_at",
        "settled_by",
        "error",
        "received_at",
        "processed_at",
        "payload",
    ]
    actions = ["settle"]

    @admin.display(description="order", ordering="order")
    def order_link(self, event: WebhookEvent):
        if event.order is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:orders_order_change", args=[event.order.pk]), event.order
        )

    @admin.action(description="Mark settled (the payment was dealt with by hand)", permissions=["settle"])
    def settle(self, request, queryset):
        count = services.webhook_events_settle(event_ids=list(queryset.values_list("pk", flat=True)), by=request.user)
        skipped = queryset.count() - count
        self.message_user(request, f"{count} event(s) marked settled.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} event(s) skipped: only events that need attention can be settled.",
                messages.WARNING,
            )

    def has_settle_permission(self, request) -> bool:
        # Rows are read-only here, but settling is an operator's call: the model's change permission.
        return request.user.has_perm("payments.change_webhookevent")
