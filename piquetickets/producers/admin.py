from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from unfold.admin import ModelAdmin, StackedInline, TabularInline
from unfold.decorators import action
from unfold.widgets import UnfoldAdminEmailInputWidget

from piquetickets.core.admin import RichTextAdmin
from piquetickets.core.errors import ApplicationError

from .models import OnboardingSession, Producer, ProducerFinancial, ProducerInterest, UserProducerAssociation
from .services import invitation_url, producer_create_from_interest, producer_invite


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="They get a link to join this producer's team, valid for 7 days. The first person to join a "
        "producer without an owner becomes its owner; anyone else joins as a manager.",
        widget=UnfoldAdminEmailInputWidget(attrs={"autocomplete": "off"}),
    )


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


class InvitationInline(TabularInline):
    """The producer's invitations; sent from the "Invite someone…" button (the link is never stored)."""

    model = OnboardingSession
    extra = 0
    can_delete = True
    fields = ["email", "created_at", "expires_at", "is_used", "used_at"]
    readonly_fields = fields
    verbose_name = "invitation"
    verbose_name_plural = "invitations"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


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
    inlines = [ProducerFinancialInline, MemberInline, InvitationInline]
    list_select_related = ["financial"]
    actions_detail = ["invite_member"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_show_count=Count("shows", distinct=True))

    @admin.display(description="Shows", ordering="_show_count")
    def show_count(self, obj) -> int:
        return obj._show_count

    @admin.display(boolean=True, description="Payouts ready")
    def payouts_ready(self, obj) -> bool:
        financial = getattr(obj, "financial", None)
        return bool(financial and financial.charges_enabled and financial.payouts_enabled)

    @action(description="Invite someone…", url_path="invite", permissions=["change"], icon="person_add")
    def invite_member(self, request, object_id):
        """Invite an email address to the producer's team (``producer_invite``, as the portal's Team page)."""
        producer = self.get_object(request, unquote(object_id))
        if producer is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, producer):
            raise PermissionDenied
        form = InviteForm(request.POST or None)
        status = 200
        if request.method == "POST":
            status = 422
            if form.is_valid():
                try:
                    invitation, token = producer_invite(
                        producer=producer, email=form.cleaned_data["email"], invited_by=request.user
                    )
                except ApplicationError as error:
                    form.add_error("email", error.message)
                else:
                    self.message_user(
                        request,
                        f"Invitation emailed to {invitation.email}. Its link, should they need it another way "
                        f"(it works once, for 7 days): {invitation_url(token)}",
                        messages.SUCCESS,
                    )
                    change_url = reverse("admin:producers_producer_change", args=[producer.pk])
                    return HttpResponseRedirect(change_url, status=303)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Invite someone to {producer.name}",
            "opts": self.opts,
            "original": producer,
            "form": form,
            "change_url": reverse("admin:producers_producer_change", args=[producer.pk]),
        }
        return TemplateResponse(request, "admin/producers/producer/invite.html", context, status=status)


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
    actions = ["mark_contacted", "make_producer_and_invite"]

    @admin.action(description="Mark selected as contacted")
    def mark_contacted(self, request, queryset):
        updated = queryset.filter(status=ProducerInterest.Status.NEW).update(status=ProducerInterest.Status.CONTACTED)
        self.message_user(request, f"{updated} marked as contacted.")

    @admin.action(description="Turn into a producer and invite them", permissions=["change"])
    def make_producer_and_invite(self, request, queryset):
        """Each selected lead becomes a producer (named after its company, else its person) and its
        email is invited as the producer's owner (``producer_create_from_interest``)."""
        for interest in queryset.order_by("pk"):
            try:
                producer, invitation, token = producer_create_from_interest(interest=interest, invited_by=request.user)
            except ApplicationError as error:
                self.message_user(request, f"{interest}: {error.message}", messages.WARNING)
                continue
            self.message_user(
                request,
                f"{producer.name} created and {invitation.email} invited as its owner. "
                f"Their link (it works once, for 7 days): {invitation_url(token)}",
                messages.SUCCESS,
            )
