from django.contrib import admin

from piquetickets.core.admin import RichTextAdmin

from .models import Performer


@admin.register(Performer)
class PerformerAdmin(RichTextAdmin):
    list_display = ["name", "city", "producer", "created_at"]
    list_filter = ["city"]
    search_fields = ["name", "city", "slug"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    autocomplete_fields = ["producer"]
    list_select_related = ["producer"]
