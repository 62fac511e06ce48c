from django.contrib import admin

from piquetickets.core.admin import RichTextAdmin

from .models import Venue


@admin.register(Venue)
class VenueAdmin(RichTextAdmin):
    list_display = ["name", "city", "state", "time_zone", "capacity", "producer", "is_active"]
    list_filter = ["is_active", "state", "country"]
    search_fields = ["name", "city", "address", "slug"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    autocomplete_fields = ["producer"]
    list_select_related = ["producer"]
