from django.contrib import admin
from unfold.admin import ModelAdmin

from piquetickets.core.admin import ReadOnlyAdmin

from .models import CheckInScan, CheckInSession


@admin.register(CheckInSession)
class CheckInSessionAdmin(ModelAdmin):
    list_display = ["label", "show", "expires_at", "revoked_at", "created_by", "created_at"]
    list_filter = ["revoked_at"]
    search_fields = ["label", "show__title", "session_id"]
    autocomplete_fields = ["show"]
    readonly_fields = ["session_id", "token", "created_by", "created_at", "updated_at"]
    list_select_related = ["show", "created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CheckInScan)
class CheckInScanAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "session", "code", "result", "attendee"]
    list_filter = ["result"]
    search_fields = ["code", "session__label", "attendee__first_name", "attendee__last_name"]
    date_hierarchy = "created_at"
    list_select_related = ["session", "attendee"]
