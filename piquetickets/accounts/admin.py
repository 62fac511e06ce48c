from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from unfold.admin import ModelAdmin, StackedInline, TabularInline
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from piquetickets.producers.models import UserProducerAssociation

from .models import User, UserProfile


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
        "is_staff",
        "is_active",
        "last_login",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "profile__can_publish_shows"]
    search_fields = ["username", "email", "first_name", "last_name"]
    list_select_related = ["profile"]

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
