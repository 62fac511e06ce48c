"""The Shows pages' forms: a show (with a venue created inline), a ticket type, a promo code, a duplicate's
new dates, and the list's filter.

Times are typed as wall-clock times (``<input type="datetime-local">``) on the show's own clock: a form
takes the zone (the show's form has it as a field; the others get the show's) and turns them into aware
datetimes in :meth:`LocalTimesMixin.clean`. The forms only parse; every rule (an end after the start, a
quantity not below what is sold and held…) is the services' and comes back through
:func:`piquetickets.portal.forms.apply_error` or :func:`apply_validation_error`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from piquetickets.core.images import InvalidImage, image_check
from piquetickets.core.timezones import DEFAULT_TIME_ZONE, time_zone_choices_grouped
from piquetickets.core.widgets import RichTextarea
from piquetickets.performers.models import Performer
from piquetickets.shows.models import Show, TicketPromoCode
from piquetickets.venues.models import Venue

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=LOCAL_FORMAT)


YEARS = (2000, 2999)  # the years a show's or a ticket type's times may fall in


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time without a zone: cleaned to a naive datetime (the form adds the zone)."""

    widget = LocalDateTimeInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        kwargs.setdefault(
            "error_messages",
            {"invalid": "Enter a date and time like 2026-03-06 19:30.", "required": "Enter a date and time."},
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return timezone.make_naive(value) if timezone.is_aware(value) else value
        for fmt in self.input_formats:
            try:
                parsed = datetime.strptime(str(value).strip(), fmt)
            except ValueError:
                continue
            # Far-off years are typing slips, and near year 9999 the conversion to UTC overflows.
            if not YEARS[0] <= parsed.year <= YEARS[1]:
                raise ValidationError(f"Enter a date between {YEARS[0]} and {YEARS[1]}.", code="out_of_range")
            return parsed
        raise ValidationError(self.error_messages["invalid"], code="invalid")

    def prepare_value(self, value):
        if isinstance(value, datetime):
            return value.strftime(LOCAL_FORMAT)
        return value


def local_initial(value: datetime | None, zone: str) -> datetime | None:
    """An aware datetime as the naive wall-clock time a :class:`LocalDateTimeField` shows."""
    if value is None:
        return None
    return timezone.make_naive(value, ZoneInfo(zone))


class LocalTimesMixin:
    """Turns the cleaned naive values of ``local_time_fields`` into aware datetimes in ``zone_name()``."""

    local_time_fields: tuple[str, ...] = ()

    @classmethod
    def initial_from(cls, instance, time_zone: str) -> dict:
        """Initial values for editing ``instance``: its attribute of each field's name, the
        ``local_time_fields`` as wall-clock times on ``time_zone``."""
        return {
            name: local_initial(getattr(instance, name), time_zone)
            if name in cls.local_time_fields
            else getattr(instance, name)
            for name in cls.base_fields
        }

    def zone_name(self) -> str:
        return self.time_zone

    def clean(self):
        cleaned = super().clean()
        zone = ZoneInfo(self.zone_name() or DEFAULT_TIME_ZONE)
        for name in self.local_time_fields:
            value = cleaned.get(name)
            if isinstance(value, datetime) and timezone.is_naive(value):
                cleaned[name] = timezone.make_aware(value, zone)
        return cleaned


# The field a database constraint's refusal is about, so the message sits by that field rather than
# at the top (the constraints and their messages are the models'; this only says where to show them).
CONSTRAINT_FIELDS = {
    "show_start_before_end": "end_time",
    "show_doors_not_after_start": "door_time",
    "show_published_has_venue": "venue",
    "ticket_price_gte_0": "price",
    "ticket_sold_within_quantity": "quantity",
    "ticket_sales_window_ordered": "sales_end",
    "ticket_max_per_order_gte_1": "max_per_order",
    "promocode_code_ci_unique_per_show": "code",
    "promocode_discount_gt_0": "discount",
    "promocode_percent_lte_100": "discount",
    "promocode_uses_within_limit": "max_uses",
    "promocode_validity_ordered": "valid_until",
}


def _constraint_field(model, message: str) -> str | None:
    for constraint in model._meta.constraints if model is not None else ():
        if constraint.name in CONSTRAINT_FIELDS and str(constraint.get_violation_error_message()) == message:
            return CONSTRAINT_FIELDS[constraint.name]
    return None


def apply_validation_error(form: forms.Form, error: ValidationError, *, model=None, prefix: str = "") -> None:
    """Put a model's ``full_clean`` error on ``form``: each message by the field of that name (``prefix`` +
    name, for a form holding two models' fields), a constraint's by the field it is about (of ``model``,
    see :data:`CONSTRAINT_FIELDS`), the rest at the top."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, messages in error.message_dict.items():
        for message in messages:
            target = f"{prefix}{name}" if name != "__all__" else _constraint_field(model, message)
            form.add_error(target if target in form.fields else None, message)


# --- the show ------------------------------------------------------------------------------------------


class VenueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, venue):
        return f"{venue.name}, {venue.city}"


class ShowForm(LocalTimesMixin, forms.Form):
    """Every field of a show a producer sets, with a venue chosen from theirs or created here."""

    local_time_fields = ("door_time", "start_time", "end_time")
    image_fields = ("image", "banner_image", "square_image")

    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the show's title."})
    description = forms.CharField(
        label="Description",
        required=False,
        widget=RichTextarea(attrs={"rows": 8}),
        help_text="What buyers read on the show page. Use the toolbar for bold, italics, headings, lists and links.",
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices_grouped,
        initial=DEFAULT_TIME_ZONE,
        help_text="The times below are on this clock (the venue's).",
    )
    door_time = LocalDateTimeField(label="Doors open", required=False)
    start_time = LocalDateTimeField(label="Show starts")
    end_time = LocalDateTimeField(label="Show ends")
    venue = VenueChoiceField(
        label="Venue",
        queryset=None,
        required=False,
        empty_label="No venue yet",
        help_text="Needed before you publish. Not listed? Add it below.",
    )
    new_venue_name = forms.CharField(label="Name", max_length=200, required=False)
    new_venue_address = forms.CharField(label="Street address", max_length=255, required=False)
    new_venue_city = forms.CharField(label="City", max_length=120, required=False)
    new_venue_time_zone = forms.ChoiceField(
        label="Venue's time zone", choices=time_zone_choices_grouped, initial=DEFAULT_TIME_ZONE, required=False
    )
    performers = forms.ModelMultipleChoiceField(
        label="Performers", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    age_restriction = forms.ChoiceField(
        label="Age restriction", choices=Show.AgeRestriction.choices, initial=Show.AgeRestriction.ALL_AGES
    )
    refund_policy = forms.ChoiceField(
        label="Refund policy", choices=Show.RefundPolicy.choices, initial=Show.RefundPolicy.NO_REFUNDS
    )
    featured_video = forms.URLField(
        label="Video link",
        required=False,
        assume_scheme="https",
        help_text="A link to the show's video (YouTube, Vimeo or another site): the show page links to it, "
        "naming the site.",
        error_messages={"invalid": "Enter a web address like https://www.youtube.com/watch?v=…"},
    )
    image = forms.FileField(
        label="Main image", required=False, help_text="Shown on the show's card. JPEG, PNG, WebP or GIF, up to 10 MB."
    )
    banner_image = forms.FileField(label="Banner", required=False, help_text="Wide, across the top of the show page.")
    square_image = forms.FileField(label="Square image", required=False, help_text="For social media and small cards.")

    NEW_VENUE_FIELDS = ("new_venue_name", "new_venue_address", "new_venue_city")

    def __init__(self, *args, producer, show: Show | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The producer's venues, and the show's own even when it is not one of them (a venue the
        # platform's team set), so saving other changes never drops it.
        venues = Q(producer=producer, is_active=True)
        performers = Q(producer=producer)
        if show is not None:
            venues |= Q(pk=show.venue_id)
            performers |= Q(pk__in=show.performers.values("pk"))
        self.fields["venue"].queryset = Venue.objects.filter(venues).order_by("name", "pk")
        self.fields["performers"].queryset = Performer.objects.filter(performers).order_by("name", "pk")
        for name in ("image", "banner_image", "square_image"):
            self.fields[name].widget.attrs["accept"] = "image/jpeg,image/png,image/webp,image/gif"
        self.fields["featured_video"].widget.attrs.update({"inputmode": "url", "spellcheck": "false"})

    def zone_name(self) -> str:
        return self.cleaned_data.get("time_zone") or DEFAULT_TIME_ZONE

    @property
    def wants_new_venue(self) -> bool:
        return any((self.cleaned_data.get(name) or "").strip() for name in self.NEW_VENUE_FIELDS)

    def _clean_image(self, name: str):
        """A chosen file is checked with the form (``core.images.image_check``, as storing it checks again),
        so an unusable image is told together with the other fields' errors, not on a later submit."""
        upload = self.cleaned_data.get(name)
        if upload:
            try:
                image_check(upload)
            except InvalidImage as refusal:
                raise ValidationError(refusal.message, code="invalid_image") from refusal
        return upload

    def clean_image(self):
        return self._clean_image("image")

    def clean_banner_image(self):
        return self._clean_image("banner_image")

    def clean_square_image(self):
        return self._clean_image("square_image")

    def clean(self):
        cleaned = super().clean()
        if self.wants_new_venue:
            labels = {"new_venue_name": "name", "new_venue_address": "street address", "new_venue_city": "city"}
            for name, label in labels.items():
                if not (cleaned.get(name) or "").strip():
                    self.add_error(name, f"Enter the new venue's {label}, or leave all three empty.")
        return cleaned

    def show_data(self) -> dict:
        """The show's fields for ``show_create`` / ``show_update`` (the venue is set by the view)."""
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "title", "description", "time_zone", "door_time", "start_time", "end_time", "age_restriction",
                "refund_policy", "featured_video", "venue",
            )
        }  # fmt: skip

    def venue_data(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["new_venue_name"].strip(),
            "address": data["new_venue_address"].strip(),
            "city": data["new_venue_city"].strip(),
            "time_zone": data.get("new_venue_time_zone") or data.get("time_zone") or DEFAULT_TIME_ZONE,
        }

    @classmethod
    def initial_for(cls, show: Show) -> dict:
        return {
            "title": show.title,
            "description": show.description,
            "time_zone": show.time_zone,
            "door_time": local_initial(show.door_time, show.time_zone),
            "start_time": local_initial(show.start_time, show.time_zone),
            "end_time": local_initial(show.end_time, show.time_zone),
            "venue": show.venue_id,
            "performers": [performer.pk for performer in show.performers.all()],
            "age_restriction": show.age_restriction,
            "refund_policy": show.refund_policy,
            "featured_video": show.featured_video,
        }


# --- ticket types --------------------------------------------------------------------------------------


# Far above any room, far below what a database integer holds (a number past it met the database's own limit
# in its message: "less than or equal to 9223372036854775807").
MOST_TICKETS = 1_000_000
MOST_PER_ORDER = 100


class TicketForm(LocalTimesMixin, forms.Form):
    local_time_fields = ("sales_start", "sales_end")

    name = forms.CharField(label="Name", max_length=120, error_messages={"required": "Enter the ticket type's name."})
    description = forms.CharField(
        label="Description",
        required=False,
        widget=RichTextarea(attrs={"rows": 3}),
        help_text="What it includes. Use the toolbar for bold, italics, headings, lists and links.",
    )
    price = forms.DecimalField(
        label="Price",
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text="0 for free tickets. For a donation-based ticket, the least a buyer may pay.",
        error_messages={"required": "Enter the price (0 for free).", "invalid": "Enter a price like 20 or 12.50."},
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    is_donation_based = forms.BooleanField(
        label="Donation-based: buyers choose what to pay, the price is the minimum", required=False
    )
    quantity = forms.IntegerField(
        label="Quantity for sale",
        min_value=0,
        max_value=MOST_TICKETS,
        error_messages={
            "required": "Enter how many are for sale.",
            "invalid": "Enter a whole number.",
            "max_value": f"At most {MOST_TICKETS:,} of one ticket type.",
        },
    )
    max_per_order = forms.IntegerField(
        label="Most per order",
        min_value=1,
        max_value=MOST_PER_ORDER,
        required=False,
        help_text="Empty: the show's limit per order.",
        error_messages={"max_value": f"At most {MOST_PER_ORDER} per order.", "invalid": "Enter a whole number."},
    )
    sales_start = LocalDateTimeField(label="On sale from", required=False, help_text="Empty: from publishing.")
    sales_end = LocalDateTimeField(label="On sale until", required=False, help_text="Empty: until the show starts.")
    sort_order = forms.IntegerField(
        label="Order on the page", min_value=0, max_value=32767, initial=0, help_text="Lower numbers come first."
    )
    is_active = forms.BooleanField(label="On sale (active)", required=False, initial=True)

    def __init__(self, *args, time_zone: str, **kwargs):
        self.time_zone = time_zone
        super().__init__(*args, **kwargs)

    def ticket_data(self) -> dict:
        return dict(self.cleaned_data)


# --- promo codes ---------------------------------------------------------------------------------------


class PromoCodeForm(LocalTimesMixin, forms.Form):
    local_time_fields = ("valid_from", "valid_until")

    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="What buyers type at checkout; upper or lower case doesn't matter.",
        error_messages={"required": "Enter the code buyers will type."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    discount_type = forms.ChoiceField(
        label="Kind of discount",
        choices=TicketPromoCode.DiscountType.choices,
        initial=TicketPromoCode.DiscountType.PERCENT,
        widget=forms.RadioSelect,
    )
    discount = forms.DecimalField(
        label="Discount",
        max_digits=10,
        decimal_places=2,
        help_text="A percentage (e.g. 20) or an amount off each ticket (e.g. 5.00).",
        error_messages={"required": "Enter the discount.", "invalid": "Enter a number like 20 or 5.00."},
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    valid_from = LocalDateTimeField(label="Valid from", required=False)
    valid_until = LocalDateTimeField(label="Valid until", required=False)
    max_uses = forms.IntegerField(
        label="Most uses", min_value=1, required=False, help_text="Orders that may use it. Empty: no limit."
    )
    tickets = forms.ModelMultipleChoiceField(
        label="Ticket types it applies to",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every ticket type of the show.",
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)

    def __init__(self, *args, show: Show, **kwargs):
        self.time_zone = show.time_zone
        super().__init__(*args, **kwargs)
        self.fields["tickets"].queryset = show.tickets.order_by("sort_order", "pk")

    def promo_data(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if key != "tickets"}

    @classmethod
    def initial_from(cls, instance, time_zone: str) -> dict:
        return {**super().initial_from(instance, time_zone), "tickets": [t.pk for t in instance.tickets.all()]}


# --- duplicating ---------------------------------------------------------------------------------------


class DuplicateForm(LocalTimesMixin, forms.Form):
    local_time_fields = ("door_time", "start_time", "end_time")

    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the new show's title."})
    door_time = LocalDateTimeField(label="Doors open", required=False)
    start_time = LocalDateTimeField(label="Show starts")
    end_time = LocalDateTimeField(label="Show ends")

    def __init__(self, *args, time_zone: str, **kwargs):
        self.time_zone = time_zone
        super().__init__(*args, **kwargs)


# --- the list's filter ---------------------------------------------------------------------------------


class ShowFilterForm(forms.Form):
    STATUSES = (
        ("upcoming", "Upcoming"),
        ("draft", "Drafts"),
        ("on_sale", "On sale"),
        ("past", "Past"),
        ("deleted", "Deleted"),
    )

    q = forms.CharField(label="Search shows", required=False, max_length=100)
    status = forms.ChoiceField(choices=STATUSES, required=False)

    def status_value(self) -> str:
        if self.is_valid():
            return self.cleaned_data.get("status") or "upcoming"
        return "upcoming"

    def query_value(self) -> str:
        if self.is_valid():
            return (self.cleaned_data.get("q") or "").strip()
        return ""
