from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Exists, OuterRef
from unfold.admin import ModelAdmin, StackedInline, TabularInline
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from piquetickets.producers.models import UserProducerAssociation

from . import services
from .models import ApiToken, User, UserProfile

# django-allauth's own admin pages are not needed: a user's address is on the user, and staff turn off a
# producer's lost two-factor authentication with the users' action below.
for allauth_model in (EmailAddress, EmailConfirmation, Authenticator):
    if admin.site.is_registered(allauth_model):
        admin.site.unregister(allauth_model)


class UserProfileInline(StackedInline):
    model = UserProfile
    can_delete = False
    fields = ["can_publish_shows"]


class ProducerMembershipInline(TabularInline):
    model = UserProducerAssociation
    extra = 0
    autocomplete_fields = ["producer"]
    fields = ["producer", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    inlines = [UserProfileInline, ProducerMembershipInline]
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "can_publish",
        "two_factor",
        "is_staff",
        "is_active",
        "last_login",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "profile__can_publish_shows"]
    search_fields = ["username", "email", "first_name", "last_name"]
    list_select_related = ["profile"]
    actions = ["turn_off_two_factor"]

    def get_queryset(self, request):
        has_two_factor = Exists(Authenticator.objects.filter(user=OuterRef("pk")))
        return super().get_queryset(request).annotate(_two_factor=has_two_factor)

    @admin.display(boolean=True, description="Two-factor", ordering="_two_factor")
    def two_factor(self, obj: User) -> bool:
        return bool(getattr(obj, "_two_factor", False))

    @admin.action(description="Turn off two-factor authentication (lost phone)", permissions=["change"])
    def turn_off_two_factor(self, request, queryset):
        """For a producer who lost their authenticator app and recovery codes: after checking who they
        are, staff turn it off; they sign in with their password and can set it up again."""
        users = services.user_two_factor_turn_off(users=queryset)
        self.message_user(request, f"Two-factor authentication turned off for {users} user(s).", messages.SUCCESS)

    @admin.display(boolean=True, description="Can publish", ordering="profile__can_publish_shows")
    def can_publish(self, obj: User) -> bool:
        profile = getattr(obj, "profile", None)
        return bool(profile and profile.can_publish_shows)


@admin.register(UserProfile)
class UserProfileAdmin(ModelAdmin):
    list_display = ["user", "can_publish_shows", "created_at", "updated_at"]
    list_filter = ["can_publish_shows"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin):
    """Keys are created by producers from their session; here staff can see and revoke them."""

    list_display = ["name", "producer", "user", "key_hint", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "producer__name", "user__username"]
    readonly_fields = ["user", "producer", "prefix", "created_at", "last_used_at", "revoked_at"]
    fields = ["name", "user", "producer", "prefix", "expires_at", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["producer", "user"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Key")
    def key_hint(self, obj: ApiToken) -> str:
        return f"pq_{obj.prefix}_…"

    @admin.action(description="Revoke selected keys")
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(token=token)
        self.message_user(request, f"{queryset.count()} key(s) revoked.")
