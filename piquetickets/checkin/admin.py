from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from unfold.admin import ModelAdmin

from piquetickets.core.admin import ReadOnlyAdmin

from .api import door_link
from .models import CheckInScan, CheckInSession
from .services import checkin_session_revoke


@admin.register(CheckInSession)
class CheckInSessionAdmin(ModelAdmin):
    list_display = ["label", "show", "expires_at", "revoked_at", "created_by", "created_at"]
    list_filter = ["revoked_at"]
    search_fields = ["label", "show__title", "session_id"]
    autocomplete_fields = ["show"]
    readonly_fields = ["session_id", "door_link_qr", "created_by", "created_at", "updated_at"]
    exclude = ["token"]
    list_select_related = ["show", "created_by"]
    actions = ["revoke"]

    @admin.display(description="Door link")
    def door_link_qr(self, obj: CheckInSession) -> str:
        if not obj.pk:
            return "Saved links show here, with a QR code to open on a phone."
        from piquetickets.orders.tickets import qr_svg

        link = door_link(obj)
        svg = mark_safe(qr_svg(link, label="Check-in link", scale=3))  # noqa: S308 - segno's own SVG markup
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a><div style="width:160px">{}</div>', link, link, svg
        )

    @admin.action(description="Switch the selected door links off now")
    def revoke(self, request, queryset):
        for session in queryset:
            checkin_session_revoke(session=session)
        self.message_user(request, f"Switched off {queryset.count()} door link(s).", messages.SUCCESS)

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
