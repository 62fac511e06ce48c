from django.contrib import admin, messages

from piquetickets.core.admin import ReadOnlyAdmin

from . import services
from .models import EmailTracking


@admin.register(EmailTracking)
class EmailTrackingAdmin(ReadOnlyAdmin):
    list_display = [
        "subject",
        "recipient",
        "category",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "delivered_at",
        "created_at",
    ]
    list_filter = ["status", "category"]
    search_fields = ["recipient", "subject", "message_id", "idempotency_key"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]

    @admin.action(description="Retry failed emails now", permissions=["retry"])
    def retry_now(self, request, queryset):
        count = services.email_retry_now(email_ids=queryset.values_list("pk", flat=True))
        skipped = queryset.count() - count
        self.message_user(request, f"{count} email(s) queued to be sent again.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} email(s) skipped: only failed emails are retried.", messages.WARNING)

    def has_retry_permission(self, request) -> bool:
        # Rows are read-only here, but re-sending is an operator's call: the model's change permission.
        return request.user.has_perm("emails.change_emailtracking")
