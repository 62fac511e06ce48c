from django.contrib import admin

from piquetickets.core.admin import ReadOnlyAdmin

from .models import WebhookEvent


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "provider", "type", "received_at", "processed_at"]
    list_filter = ["provider", "type"]
    search_fields = ["event_id", "type"]
    date_hierarchy = "received_at"
