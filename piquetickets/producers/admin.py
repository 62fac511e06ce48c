from django.contrib import admin
from django.db.models import Count
from unfold.admin import ModelAdmin, StackedInline, TabularInline

from piquetickets.core.admin import RichTextAdmin

from .models import OnboardingSession, Producer, ProducerFinancial, ProducerInterest, UserProducerAssociation


class ProducerFinancialInline(StackedInline):
    model = ProducerFinancial
    can_delete = False
    readonly_fields = [
        "stripe_account_id",
        "stripe_account_link",
        "onboarding_completed",
        "charges_enabled",
        "payouts_enabled",
        "last_status_check",
    ]


class MemberInline(TabularInline):
    model = UserProducerAssociation
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Producer)
class ProducerAdmin(RichTextAdmin):
    list_display = ["name", "slug", "country", "payouts_ready", "show_count", "is_active", "created_at"]
    list_filter = ["is_active", "country", "financial__payouts_enabled"]
    search_fields = ["name", "slug", "support_email", "user_associations__user__email"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    inlines = [ProducerFinancialInline, MemberInline]
    list_select_related = ["financial"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_show_count=Count("shows", distinct=True))

    @admin.display(description="Shows", ordering="_show_count")
    def show_count(self, obj) -> int:
        return obj._show_count

    @admin.display(boolean=True, description="Payouts ready")
    def payouts_ready(self, obj) -> bool:
        financial = getattr(obj, "financial", None)
        return bool(financial and financial.charges_enabled and financial.payouts_enabled)


@admin.register(ProducerFinancial)
class ProducerFinancialAdmin(ModelAdmin):
    list_display = [
        "producer",
        "stripe_account_id",
        "onboarding_completed",
        "charges_enabled",
        "payouts_enabled",
        "last_status_check",
    ]
    list_filter = ["onboarding_completed", "charges_enabled", "payouts_enabled"]
    search_fields = ["producer__name", "stripe_account_id"]
    autocomplete_fields = ["producer"]
    readonly_fields = [
        "stripe_account_id",
        "stripe_account_link",
        "onboarding_completed",
        "charges_enabled",
        "payouts_enabled",
        "last_status_check",
        "created_at",
        "updated_at",
    ]
    list_select_related = ["producer"]


@admin.register(UserProducerAssociation)
class UserProducerAssociationAdmin(ModelAdmin):
    list_display = ["user", "producer", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "producer__name"]
    autocomplete_fields = ["user", "producer"]
    list_select_related = ["user", "producer"]


@admin.register(OnboardingSession)
class OnboardingSessionAdmin(ModelAdmin):
    list_display = ["email", "producer", "created_at", "expires_at", "is_used"]
    list_filter = ["is_used"]
    search_fields = ["email", "producer__name"]
    autocomplete_fields = ["producer"]
    readonly_fields = ["token", "created_at", "used_at"]
    list_select_related = ["producer"]


@admin.register(ProducerInterest)
class ProducerInterestAdmin(ModelAdmin):
    list_display = ["name", "email", "company_name", "city", "events_per_year", "status", "created_at"]
    list_filter = ["status", "events_per_year", "interested_in_marketing"]
    search_fields = ["name", "email", "company_name", "city"]
    list_editable = ["status"]
    autocomplete_fields = ["producer"]
    readonly_fields = ["ip_address", "user_agent", "created_at", "updated_at"]
    actions = ["mark_contacted"]

    @admin.action(description="Mark selected as contacted")
    def mark_contacted(self, request, queryset):
        updated = queryset.filter(status=ProducerInterest.Status.NEW).update(status=ProducerInterest.Status.CONTACTED)
        self.message_user(request, f"{updated} marked as contacted.")
