from django.contrib import admin

from piquetickets.core.admin import ReadOnlyAdmin

from .models import EmailTracking


@admin.register(EmailTracking)
class EmailTrackingAdmin(ReadOnlyAdmin):
    list_display = [
        "subject",
        "recipient",
        "category",
        "status",
        "attempts",
        "sent_at",
        "delivered_at",
        "created_at",
    ]
    list_filter = ["status", "category"]
    search_fields = ["recipient", "subject", "message_id"]
    date_hierarchy = "created_at"
