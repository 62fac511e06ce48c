from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db.models import F, Sum
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from unfold.admin import ModelAdmin, StackedInline, TabularInline
from unfold.decorators import action
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget, UnfoldAdminSelectWidget

from piquetickets.core.admin import RichTextAdmin
from piquetickets.core.money import format_money

from . import services
from .models import FeaturedShow, Show, Ticket, TicketPageDesign, TicketPromoCode

ADMIN_CSS = "orders/admin/admin-pages.css"
# Names each autocomplete (select2) box and its search field after the field's label.
SELECT2_LABELS = forms.Script("orders/admin/select2-labels.js", type="module")


class LabelledInlineFormSet(BaseInlineFormSet):
    """A tabular inline's inputs sit in table cells under a column header, which names them only to
    the eye; each gets an accessible name too: the column's label and the row, "Price (ticket type 2)"."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        noun = self.model._meta.verbose_name
        row = f"{noun} {index + 1}" if index is not None else f"new {noun}"
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            label = "Delete" if name == DELETION_FIELD_NAME else field.label
            field.widget.attrs["aria-label"] = f"{label} ({row})"


class AutocompleteMultipleWithoutClearAll(AutocompleteSelectMultiple):
    """An autocomplete of several choices without select2's "remove all" control: select2 puts it in
    its list of choices as a bare ``<span>`` (not a list item), which breaks that list for screen
    readers. Each chosen item keeps its own remove control."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-allow-clear"] = "false"
        return attrs


class TicketInline(TabularInline):
    model = Ticket
    formset = LabelledInlineFormSet
    extra = 0
    fields = [
        "name",
        "price",
        "quantity",
        "quantity_sold",
        "quantity_held",
        "is_donation_based",
        "is_active",
        "sort_order",
    ]
    readonly_fields = ["quantity_sold", "quantity_held"]
    show_change_link = True


class PromoCodeInline(TabularInline):
    """The show's promo codes, to change in place; new ones are added with "Add a promo code", whose
    form offers the show's ticket types (a code added here would apply to every one of them)."""

    model = TicketPromoCode
    formset = LabelledInlineFormSet
    extra = 0
    fields = ["code", "discount_type", "discount", "max_uses", "times_used", "valid_until", "is_active", "applies_to"]
    readonly_fields = ["times_used", "applies_to"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tickets")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Ticket types")
    def applies_to(self, obj: TicketPromoCode) -> str:
        return ", ".join(ticket.name for ticket in obj.tickets.all()) or "All"


class PageDesignInline(StackedInline):
    model = TicketPageDesign
    extra = 0


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Live"), ("yes", "Deleted")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(is_deleted=True)
        if self.value() == "no":
            return queryset.filter(is_deleted=False)
        return queryset


@admin.register(Show)
class ShowAdmin(RichTextAdmin):
    list_display = ["title", "producer", "venue", "local_start", "state", "sold"]
    list_filter = ["published", DeletedFilter, "age_restriction", "producer", "venue__city"]
    search_fields = ["title", "slug", "producer__name", "venue__name", "venue__city"]
    date_hierarchy = "start_time"
    autocomplete_fields = ["producer", "venue", "author", "performers"]
    readonly_fields = [
        "slug",
        "is_deleted",
        "published_at",
        "deleted_at",
        "created_at",
        "updated_at",
        "draft_created_at",
        "draft_updated_at",
    ]
    list_select_related = ["producer", "venue"]
    ordering = ["-start_time", "pk"]  # also for the show autocomplete, which pages through them
    inlines = [TicketInline, PromoCodeInline, PageDesignInline]
    actions = ["soft_delete", "restore"]
    actions_detail = ["add_door_link", "add_promo_code"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "producer", "venue", "author", "performers", "description"]}),
        ("When", {"fields": ["door_time", "start_time", "end_time", "time_zone"]}),
        (
            "Selling",
            {
                "fields": [
                    "currency",
                    "hold_minutes",
                    "max_tickets_per_order",
                    "refund_policy",
                    "age_restriction",
                ]
            },
        ),
        (
            "Media",
            {"fields": ["image", "banner_image", "square_image", "featured_video", "facebook_campaign_id"]},
        ),
        (
            "State",
            {"fields": ["published", "published_at", "is_deleted", "deleted_at", "created_at", "updated_at"]},
        ),
    ]

    class Media:
        css = {"all": [ADMIN_CSS]}
        js = [SELECT2_LABELS]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = AutocompleteMultipleWithoutClearAll(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        # The admin is the one place that sees soft-deleted shows.
        qs = Show.all_objects.select_related("producer", "venue").order_by(*self.get_ordering(request))
        return qs.annotate(_sold=Sum("tickets__quantity_sold"), _capacity=Sum("tickets__quantity"))

    @admin.display(description="Starts (local)", ordering="start_time")
    def local_start(self, obj: Show) -> str:
        from zoneinfo import ZoneInfo

        return timezone.localtime(obj.start_time, ZoneInfo(obj.time_zone)).strftime("%a %d %b %Y, %H:%M %Z")

    @admin.display(description="State", ordering="published")
    def state(self, obj: Show) -> str:
        if obj.is_deleted:
            return "Deleted"
        return "Published" if obj.published else "Draft"

    @admin.display(description="Sold / capacity", ordering=F("_sold").desc(nulls_last=True))
    def sold(self, obj: Show) -> str:
        return f"{obj._sold or 0} / {obj._capacity or 0}"

    @action(description="Add a door link", url_path="add-door-link", permissions=["add_door_link"], icon="qr_code_2")
    def add_door_link(self, request, object_id):
        """The door link add form, opened for this show (its expiry starts at the show's default)."""
        return HttpResponseRedirect(f"{reverse('admin:checkin_checkinsession_add')}?show={int(object_id)}")

    def has_add_door_link_permission(self, request, obj=None) -> bool:
        # A method, not the dotted permission in @action: unfold's system check would query the
        # permission table for that, which fails before the first migration.
        return request.user.has_perm("checkin.add_checkinsession")

    @action(description="Add a promo code", url_path="add-promo-code", permissions=["add_promo_code"], icon="sell")
    def add_promo_code(self, request, object_id):
        """The promo code add form for this show: its ticket types are offered at once."""
        return HttpResponseRedirect(f"{reverse('admin:shows_ticketpromocode_add')}?show={int(object_id)}")

    def has_add_promo_code_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("shows.add_ticketpromocode")

    @admin.action(description="Soft-delete selected shows")
    def soft_delete(self, request, queryset):
        for show in queryset:
            services.show_soft_delete(show=show)
        self.message_user(request, f"{queryset.count()} show(s) deleted.")

    @admin.action(description="Restore selected shows as drafts")
    def restore(self, request, queryset):
        for show in queryset:
            services.show_restore(show=show)
        self.message_user(request, f"{queryset.count()} show(s) restored.")


class AllShowsFormMixin:
    """Lets the admin pick and keep soft-deleted shows in show fields."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "show":
            kwargs["queryset"] = Show.all_objects.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Ticket)
class TicketAdmin(AllShowsFormMixin, RichTextAdmin):
    list_display = [
        "name",
        "show",
        "price",
        "quantity",
        "quantity_sold",
        "quantity_held",
        "is_donation_based",
        "is_active",
    ]
    list_filter = ["is_active", "is_donation_based", "show__producer"]
    search_fields = ["name", "show__title"]
    readonly_fields = ["quantity_sold", "quantity_held", "created_at", "updated_at"]
    autocomplete_fields = ["show", "author"]
    list_select_related = ["show"]

    class Media:
        css = {"all": [ADMIN_CSS]}
        js = [SELECT2_LABELS]


class PromoCodeForm(forms.ModelForm):
    """A promo code's ticket types are ticked from its own show's, not picked from every show's.

    A new code is added in two steps (see :class:`TicketPromoCodeAdmin`): the show, then the code with
    that show's ticket types to tick; ``chosen_show`` is the show of the second step, which the form
    keeps whatever is sent.
    """

    chosen_show: Show | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        show_field = self.fields.get("show")
        if show_field is not None and self.chosen_show is not None:
            show_field.queryset = Show.all_objects.filter(pk=self.chosen_show.pk)
            show_field.initial = self.chosen_show.pk
            show_field.disabled = True  # the ticket types below are this show's
            show_field.widget = UnfoldAdminSelectWidget(choices=[(self.chosen_show.pk, str(self.chosen_show))])
            show_field.help_text = format_html(
                'For a code for another show, <a class="underline" href="{}">choose another show</a>.',
                reverse("admin:shows_ticketpromocode_add"),
            )
        elif show_field is not None and len(self.fields) == 1:
            show_field.help_text = (
                "Choose the show first: the next step lists its ticket types, so that the code can be limited to some."
            )
        field = self.fields.get("tickets")
        if field is None:
            return
        show = self._show()
        field.widget = UnfoldAdminCheckboxSelectMultipleWidget()
        field.queryset = show.tickets.order_by("sort_order", "pk") if show else Ticket.objects.none()
        if show is None:
            field.help_text = "Choose the show first; its ticket types are then listed here."
        elif not show.tickets.exists():
            field.help_text = (
                "This show has no ticket types yet, so the code will apply to every ticket type it gets. "
                "To limit the code to some, add the ticket types first."
            )
        else:
            field.label_from_instance = lambda ticket: f"{ticket.name} · {format_money(ticket.price, show.currency)}"
            field.help_text = (
                "Tick the ticket types the code applies to. None ticked: it applies to every ticket type of the "
                "show, also ones added later."
            )

    def _show(self) -> Show | None:
        """The show the code is for: the add form's chosen one, else as submitted, else as saved."""
        if self.chosen_show is not None:
            return self.chosen_show
        if self.is_bound:
            show_id = self.data.get(self.add_prefix("show"))
        else:
            show_id = self.instance.show_id or self.initial.get("show")
        if not str(show_id or "").isdigit():
            return None
        return Show.all_objects.filter(pk=int(show_id)).first()


@admin.register(TicketPromoCode)
class TicketPromoCodeAdmin(AllShowsFormMixin, ModelAdmin):
    form = PromoCodeForm
    list_display = [
        "code",
        "show",
        "discount_type",
        "discount",
        "times_used",
        "max_uses",
        "valid_until",
        "is_active",
    ]
    list_filter = ["is_active", "discount_type"]
    search_fields = ["code", "show__title"]
    readonly_fields = ["times_used", "created_at", "updated_at"]
    autocomplete_fields = ["show"]
    list_select_related = ["show"]

    class Media:
        css = {"all": [ADMIN_CSS]}
        js = [SELECT2_LABELS]

    # A new code is added in two steps, so that it is never valid for every ticket type by accident:
    # the add page without ``?show=`` asks only for the show ("Continue"), then the same page with
    # ``?show=<id>`` has the code's fields with that show's ticket types to tick, the show fixed.

    @staticmethod
    def _chosen_show(request) -> Show | None:
        show_id = request.GET.get("show", "")
        return Show.all_objects.filter(pk=int(show_id)).first() if show_id.isdigit() else None

    def get_fields(self, request, obj=None):
        if obj is None and self._chosen_show(request) is None:
            return ["show"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []  # nothing to show of a code not made yet
        return super().get_readonly_fields(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form = type(form.__name__, (form,), {"chosen_show": self._chosen_show(request)})
        return form

    def add_view(self, request, form_url="", extra_context=None):
        if self._chosen_show(request) is not None:
            return super().add_view(request, form_url, extra_context)
        if request.method == "POST":
            form = self.get_form(request)(request.POST)
            if form.is_valid():
                return HttpResponseRedirect(self._add_url(request, form.cleaned_data["show"]), status=303)
        # A GET, or no show chosen: the admin's page shows the one field (and its error), saving nothing.
        return super().add_view(request, form_url, {**(extra_context or {}), "promo_code_step": "show"})

    @staticmethod
    def _add_url(request, show: Show) -> str:
        query = request.GET.copy()
        query["show"] = str(show.pk)
        return f"{reverse('admin:shows_ticketpromocode_add')}?{query.urlencode()}"


@admin.register(TicketPageDesign)
class TicketPageDesignAdmin(AllShowsFormMixin, ModelAdmin):
    list_display = ["show", "primary_color", "secondary_color"]
    search_fields = ["show__title"]
    autocomplete_fields = ["show"]
    list_select_related = ["show"]

    class Media:
        css = {"all": [ADMIN_CSS]}
        js = [SELECT2_LABELS]


@admin.register(FeaturedShow)
class FeaturedShowAdmin(AllShowsFormMixin, ModelAdmin):
    list_display = ["show", "order", "is_active", "created_at"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["show__title"]
    autocomplete_fields = ["show"]
    list_select_related = ["show"]

    class Media:
        css = {"all": [ADMIN_CSS]}
        js = [SELECT2_LABELS]
