from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from .models import Subscriber, SubscriberDemographics, SubscriberMetaData


class MetaDataInline(TabularInline):
    model = SubscriberMetaData
    extra = 0
    can_delete = False
    fields = ["ip_address", "ip_country", "ip_city", "user_agent", "url_referer", "created_at"]
    readonly_fields = fields


class DemographicsInline(TabularInline):
    model = SubscriberDemographics
    extra = 0


@admin.register(Subscriber)
class SubscriberAdmin(ModelAdmin):
    list_display = ["email", "first_name", "last_name", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["email", "first_name", "last_name"]
    date_hierarchy = "created_at"
    inlines = [MetaDataInline, DemographicsInline]


@admin.register(SubscriberMetaData)
class SubscriberMetaDataAdmin(ModelAdmin):
    list_display = ["subscriber", "ip_address", "ip_country", "ip_city", "created_at"]
    list_filter = ["ip_country"]
    search_fields = ["subscriber__email", "ip_address"]
    autocomplete_fields = ["subscriber"]
    list_select_related = ["subscriber"]


@admin.register(SubscriberDemographics)
class SubscriberDemographicsAdmin(ModelAdmin):
    list_display = ["subscriber", "gender", "location", "date_of_birth", "created_at"]
    search_fields = ["subscriber__email", "location"]
    autocomplete_fields = ["subscriber"]
    list_select_related = ["subscriber"]
