"""Feature flags in the admin, in the admin's own look (Unfold).

Waffle's own admin pages are off (``WAFFLE_ENABLE_ADMIN_PAGES = False``); its actions (on / off for
everyone, delete one by one so each flag's cache is forgotten) are reused here. Switches and samples
are not used by the platform, so they are not listed.
"""

from django.contrib import admin
from unfold.admin import ModelAdmin
from waffle.admin import delete_individually, disable_for_all, enable_for_all

from .models import Flag


@admin.register(Flag)
class FlagAdmin(ModelAdmin):
    actions = [enable_for_all, disable_for_all, delete_individually]
    list_display = ["name", "note", "everyone", "percent", "staff", "superusers", "authenticated", "modified"]
    list_filter = ["everyone", "staff", "superusers", "authenticated"]
    search_fields = ["name", "note"]
    ordering = ["name"]
    autocomplete_fields = ["users", "groups", "producers"]
    readonly_fields = ["created", "modified"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("note", "languages"):
            field.widget.attrs["rows"] = 2
        return field

    fieldsets = [
        (None, {"fields": ["name", "note"]}),
        (
            "Who sees it",
            {
                "description": (
                    "Everyone = Yes or No decides alone. Left unknown, the flag is on for the producers, "
                    "users and groups listed, for staff or superusers when ticked, and otherwise for the "
                    "percentage of browsers given (each keeps its draw in a cookie)."
                ),
                "fields": ["everyone", "producers", "users", "groups", "percent", "staff", "superusers"],
            },
        ),
        (
            "Less often",
            {
                "classes": ["collapse"],
                "fields": ["rollout", "authenticated", "languages", "testing"],
            },
        ),
        ("History", {"fields": ["created", "modified"]}),
    ]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one by one instead, so each flag's cache is forgotten
        return actions
