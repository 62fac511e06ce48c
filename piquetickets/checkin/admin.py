from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from unfold.admin import ModelAdmin

from piquetickets.core.admin import ReadOnlyAdmin
from piquetickets.core.errors import InvalidInput
from piquetickets.shows.admin import SELECT2_LABELS

from .api import door_link
from .models import CheckInScan, CheckInSession
from .services import (
    SESSION_MARGIN,
    checkin_session_create,
    checkin_session_default_expiry,
    checkin_session_expiry,
    checkin_session_revoke,
)

ADMIN_CSS = "orders/admin/admin-pages.css"


class CheckInSessionForm(forms.ModelForm):
    """The expiry may be left empty: the link then gets the same default as one made through the API.

    A new link, or a link given another expiry, is held to the check-in service's rule
    (:func:`checkin_session_expiry`): it must not have expired already. The service's message is
    shown by the expiry field.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("expires_at")
        if field is None:
            return
        hours = int(SESSION_MARGIN.total_seconds() // 3600)
        field.required = False
        field.help_text = f"Leave empty for the default: {hours} hours after the show ends."
        if self.instance.pk is None and not self.is_bound and "expires_at" not in self.initial:
            show = self._initial_show()
            if show is not None:
                self.initial["expires_at"] = checkin_session_default_expiry(show)

    def _initial_show(self):
        """The show the add form was opened for (``?show=<id>``, e.g. from the show's page), if any."""
        show_id = str(self.initial.get("show") or "")
        if "show" not in self.fields or not show_id.isdigit():
            return None
        return self.fields["show"].queryset.filter(pk=int(show_id)).first()

    def clean(self):
        cleaned = super().clean()
        show = cleaned.get("show")
        if show is None or "expires_at" not in self.fields or "expires_at" in self.errors:
            return cleaned
        given = cleaned.get("expires_at")
        if self.instance.pk is not None and given is not None and given == self.instance.expires_at:
            return cleaned  # unchanged: an expired link may still be relabelled
        try:
            expires_at = checkin_session_expiry(show=show, expires_at=given)
        except InvalidInput as error:
            for name, messages_ in error.extra["fields"].items():
                self.add_error(name if name in self.fields else None, messages_)
            return cleaned
        cleaned["expires_at"] = expires_at
        return cleaned


@admin.register(CheckInSession)
class CheckInSessionAdmin(ModelAdmin):
    form = CheckInSessionForm
    list_display = ["label", "show", "expires_at", "revoked_at", "created_by", "created_at"]
    list_filter = ["revoked_at"]
    search_fields = ["label", "show__title", "session_id"]
    autocomplete_fields = ["show"]
    readonly_fields = ["session_id", "door_link_qr", "created_by", "created_at", "updated_at"]
    exclude = ["token"]
    list_select_related = ["show", "created_by"]
    actions = ["revoke"]

    class Media:
        css = {"all": [ADMIN_CSS]}
        js = [SELECT2_LABELS]

    @admin.display(description="Door link")
    def door_link_qr(self, obj: CheckInSession) -> str:
        if not obj.pk:
            return "Saved links show here, with a QR code to open on a phone."
        from piquetickets.orders.tickets import qr_svg

        link = door_link(obj)
        svg = mark_safe(qr_svg(link, label="Check-in link", scale=3))  # noqa: S308 - segno's own SVG markup
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a><div class="pq-door-qr">{}</div>', link, link, svg
        )

    @admin.action(description="Switch the selected door links off now")
    def revoke(self, request, queryset):
        for session in queryset:
            checkin_session_revoke(session=session)
        self.message_user(request, f"Switched off {queryset.count()} door link(s).", messages.SUCCESS)

    def get_exclude(self, request, obj=None):
        # A new link works until it expires; switching one off is for links that exist.
        excluded = list(super().get_exclude(request, obj) or [])
        return excluded if obj else [*excluded, "revoked_at"]

    def save_model(self, request, obj, form, change):
        """A new link is made by the check-in service, as the API makes it; ``obj`` becomes it."""
        if change:
            super().save_model(request, obj, form, change)
            return
        made = checkin_session_create(show=obj.show, label=obj.label, expires_at=obj.expires_at, by=request.user)
        for field in CheckInSession._meta.concrete_fields:
            setattr(obj, field.attname, getattr(made, field.attname))
        obj._state.adding, obj._state.db = False, made._state.db


@admin.register(CheckInScan)
class CheckInScanAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "session", "code", "result", "attendee"]
    list_filter = ["result"]
    search_fields = ["code", "session__label", "attendee__first_name", "attendee__last_name"]
    date_hierarchy = "created_at"
    list_select_related = ["session", "attendee"]
