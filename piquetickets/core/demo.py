"""Demo data for ``manage.py seed_demo``: a small, believable platform to click through.

Idempotent: every row is looked up by a natural key first, so running it again creates nothing.
Dates are relative to the first run, so the shows are upcoming when the data is made.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from piquetickets.accounts.models import User, UserProfile
from piquetickets.accounts.services import user_create
from piquetickets.checkin.models import CheckInSession
from piquetickets.checkin.services import SESSION_MARGIN
from piquetickets.core.money import quantize
from piquetickets.flags.models import Flag
from piquetickets.knowledge.models import KnowledgeArticle, KnowledgeCategory
from piquetickets.orders.models import Order, TicketAttendee, TicketOrder
from piquetickets.performers.models import Performer
from piquetickets.producers.models import Producer, ProducerFinancial, UserProducerAssociation
from piquetickets.shows.models import FeaturedShow, Show, Ticket, TicketPageDesign, TicketPromoCode
from piquetickets.subscribers.models import Subscriber
from piquetickets.venues.models import Venue

DEMO_PASSWORD = "pique-demo-2026"  # noqa: S105 - demo logins, printed on purpose
ADMIN_PASSWORD = "pique-admin-2026"  # noqa: S105


@dataclass
class Login:
    role: str
    username: str
    password: str


@dataclass
class SeedResult:
    created: int = 0
    logins: list[Login] = field(default_factory=list)
    door_links: list[tuple[str, str]] = field(default_factory=list)  # (show title, path with token)

    def count(self, created: bool) -> None:
        self.created += int(created)


PRODUCERS = [
    {
        "name": "Laugh Track Comedy",
        "user": ("laughs", "Maya", "Okafor", "maya@laughtrack.example"),
        "bio": "<p>Stand-up nights in Chicago's best small rooms since 2014.</p>",
        "colors": ("#B3125B", "#1F1A2E"),
        "country": "US",
    },
    {
        "name": "Northern Lights Music",
        "user": ("northern", "Erik", "Lindqvist", "erik@northernlights.example"),
        "bio": "<p>Intimate concerts and songwriter rounds across the Twin Cities.</p>",
        "colors": ("#0E6BA8", "#0B132B"),
        "country": "US",
    },
]

VENUES = [
    ("The Basement Room", "1520 N Milwaukee Ave", "Chicago", "IL", "60622", "America/Chicago", 120, 0),
    ("Lakeview Comedy Loft", "3175 N Broadway", "Chicago", "IL", "60657", "America/Chicago", 90, 0),
    ("Cedar Street Hall", "416 Cedar Ave S", "Minneapolis", "MN", "55454", "America/Chicago", 300, 1),
    (
        "Riverside Listening Room",
        "201 E Hennepin Ave",
        "Minneapolis",
        "MN",
        "55414",
        "America/Chicago",
        80,
        1,
    ),
]

PERFORMERS = [
    ("Dana Reyes", "Chicago", 0),
    ("Sam Whitfield", "Chicago", 0),
    ("Priya Natarajan", "Chicago", 0),
    ("Jordan Blake", "Milwaukee", 0),
    ("The Quiet Hours", "Minneapolis", 1),
    ("Lena Holm", "Duluth", 1),
    ("Marcus Bell Trio", "St. Paul", 1),
    ("Ada & the Wires", "Minneapolis", 1),
]

# title, producer index, venue index, days from now, start hour, performer indexes, ticket specs
# ticket spec: (name, price, quantity, donation, sold)
SHOWS = [
    (
        "Friday Night Stand-Up",
        0,
        0,
        6,
        20,
        [0, 1],
        [("General admission", "20.00", 100, False, 12), ("Front row", "35.00", 16, False, 4)],
    ),
    ("New Material Monday", 0, 1, 9, 19, [2, 3], [("Pay what you can", "0.00", 80, True, 9)]),
    ("The Late Late Show", 0, 0, 13, 22, [1, 3], [("General admission", "18.00", 50, False, 47)]),
    (
        "Comedy Brunch",
        0,
        1,
        16,
        11,
        [0, 2],
        [("Brunch + show", "45.00", 60, False, 6), ("Show only", "15.00", 30, False, 0)],
    ),
    (
        "Headliner: Dana Reyes",
        0,
        0,
        24,
        20,
        [0],
        [("General admission", "28.00", 120, False, 20), ("VIP meet & greet", "60.00", 10, False, 2)],
    ),
    ("Songwriters in the Round", 1, 3, 7, 19, [5, 7], [("General admission", "22.00", 70, False, 10)]),
    (
        "The Quiet Hours — Album Release",
        1,
        2,
        12,
        20,
        [4],
        [("Advance", "25.00", 250, False, 31), ("Day of show", "30.00", 50, False, 0)],
    ),
    ("Jazz on the River", 1, 3, 19, 18, [6], [("General admission", "20.00", 70, False, 5)]),
    ("Winter Folk Night", 1, 2, 27, 19, [5, 4], [("General admission", "24.00", 200, False, 0)]),
    (
        "Ada & the Wires Live",
        1,
        2,
        33,
        21,
        [7],
        [("General admission", "18.00", 220, False, 8), ("Balcony", "26.00", 40, False, 0)],
    ),
]

FEATURED = ["Headliner: Dana Reyes", "The Quiet Hours — Album Release", "Friday Night Stand-Up"]

BUYERS = [
    ("Alex", "Morgan"),
    ("Jamie", "Chen"),
    ("Riley", "Patel"),
    ("Casey", "Nguyen"),
    ("Taylor", "Brooks"),
    ("Jordan", "Silva"),
    ("Morgan", "Kim"),
    ("Avery", "Johnson"),
]


# The portal's help centre (/dashboard/help/): (category, description, [(title, summary, body)]).
HELP_ARTICLES = [
    (
        "Selling tickets",
        "Shows, ticket types and promo codes.",
        [
            (
                "Creating your first show",
                "From a draft to a show on sale in four steps.",
                "<p>Add a venue, a date and at least one ticket type, then publish.</p>"
                "<ol><li>Shows → <strong>New show</strong>: the title, the times on the venue's clock, the venue."
                "</li><li>Add a description and the three images (main, banner, square).</li>"
                "<li>Add ticket types: a price, how many, and when they are on sale.</li>"
                "<li>Check the preview, then <strong>Publish</strong>.</li></ol>",
            ),
            (
                "Promo codes",
                "A percentage or an amount off, for some ticket types, for a while.",
                "<p>On a show's page, <strong>Add promo code</strong>: a code buyers type, a percentage or a fixed "
                "amount off each ticket, the ticket types it is for (none ticked: all) and how many times it may "
                "be used. Analytics shows each code's uses, the discount given and the revenue.</p>",
            ),
            (
                "Free and pay-what-you-can tickets",
                "A ticket type at 0, or a donation with a minimum.",
                "<p>A ticket type priced at 0 is free: buyers still get a ticket with a QR code. A "
                "<em>donation-based</em> ticket lets buyers choose what to pay, from the price you set.</p>",
            ),
        ],
    ),
    (
        "Getting paid",
        "Payouts, fees and refunds.",
        [
            (
                "How payouts work",
                "Stripe pays ticket money to your bank.",
                "<p>Connect your Stripe account under <strong>Payouts</strong>; ticket revenue is paid out by "
                "Stripe on its schedule. The payouts page shows, per show, the gross, discounts, fees, refunds "
                "and what reaches you.</p>",
            ),
            (
                "Refunding an order",
                "The whole order, some tickets, or an amount.",
                "<p>Open the order, choose <strong>Refund</strong>, pick the tickets or type an amount and give a "
                "reason. Refunded tickets no longer open the door. The buyer gets an email.</p>",
            ),
        ],
    ),
    (
        "At the door",
        "Check-in links and the door list.",
        [
            (
                "Door links and checking people in",
                "A link for each door, no account needed.",
                "<p>On <strong>Check-in</strong>, make a door link for the show and open it on a phone at the "
                "door: it scans the QR codes on tickets. Revoke a link when the show is over. A printable door "
                "list is under the show's orders.</p>",
            ),
        ],
    ),
]


def _demo_font(size: int) -> ImageFont.ImageFont:
    """Noto Sans Bold from the ticket fonts' folders when installed (it draws dashes and accents), else
    Pillow's built-in face."""
    for folder in settings.TICKET_FONT_DIRS:
        path = Path(folder) / "NotoSans-Bold.ttf"
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _gradient(colors: tuple[str, str], size: tuple[int, int]) -> Image.Image:
    width, height = size
    top = tuple(int(colors[0][i : i + 2], 16) for i in (1, 3, 5))
    bottom = tuple(int(colors[1][i : i + 2], 16) for i in (1, 3, 5))
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / (height - 1)
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return image


def _png(image: Image.Image) -> ContentFile:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue())


def _centred_lines(draw: ImageDraw.ImageDraw, lines: list[str], font, box: tuple[int, int], gap: int) -> None:
    width, height = box
    sizes = [draw.textbbox((0, 0), line, font=font) for line in lines]
    total = sum(b[3] - b[1] for b in sizes) + gap * (len(lines) - 1)
    y = (height - total) / 2
    for line, bbox in zip(lines, sizes, strict=True):
        draw.text(((width - (bbox[2] - bbox[0])) / 2 - bbox[0], y - bbox[1]), line, font=font, fill=(255, 255, 255))
        y += bbox[3] - bbox[1] + gap


def poster_image(title: str, colors: tuple[str, str], size: tuple[int, int] = (1200, 675)) -> ContentFile:
    """A simple gradient poster with the show's title in the middle (where a square crop keeps it), as a PNG."""
    image = _gradient(colors, size)
    draw = ImageDraw.Draw(image)
    font = _demo_font(max(24, size[0] // 14))
    words, lines = title.split(), [""]
    for word in words:  # wrap to under half the width, so a square or portrait crop keeps it whole
        trial = f"{lines[-1]} {word}".strip()
        if lines[-1] and draw.textlength(trial, font=font) > size[0] * 0.45:
            lines.append(word)
        else:
            lines[-1] = trial
    _centred_lines(draw, lines, font, size, gap=size[1] // 30)
    return _png(image)


def avatar_image(name: str, colors: tuple[str, str], size: int = 600) -> ContentFile:
    """A square gradient with the name's initials, as a PNG: a performer's or producer's picture."""
    image = _gradient(colors, (size, size))
    initials = "".join(word[0] for word in name.replace("&", " ").split()[:2]).upper()
    _centred_lines(ImageDraw.Draw(image), [initials], _demo_font(size // 3), (size, size), gap=0)
    return _png(image)


def _user(result: SeedResult, username: str, first: str, last: str, email: str, **flags) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        password = ADMIN_PASSWORD if flags.get("is_superuser") else DEMO_PASSWORD
        user = user_create(username=username, email=email, password=password, first_name=first, last_name=last, **flags)
        result.count(True)
    else:
        UserProfile.objects.get_or_create(
            user=user, defaults={"can_publish_shows": flags.get("can_publish_shows", False)}
        )
    return user


def _paid_order(result: SeedResult, ticket: Ticket, number: int, quantity: int, buyer: tuple[str, str], when) -> None:
    """The ``number``-th completed demo order of ``ticket``, with its line and attendees.

    Demo data only: real orders come from checkout and fulfilment, which also take the capacity
    lock; here nothing else runs, so the counter is moved directly.
    """
    show = ticket.show
    first, last = buyer
    email = f"{first}.{last}@buyers.example".lower()
    session_id = f"demo_{ticket.pk}_{number}"
    if Order.objects.filter(session_id=session_id).exists():
        return
    subtotal = quantize(ticket.price * quantity, show.currency)
    platform = quantize(Decimal("0.99") * quantity, show.currency) if subtotal else Decimal("0.00")
    processing = (
        quantize((subtotal + platform) * Decimal("0.029") + Decimal("0.30"), show.currency)
        if subtotal
        else Decimal("0.00")
    )
    order = Order.objects.create(
        show=show,
        status=Order.Status.PAID,
        provider=Order.Provider.TEST if subtotal else Order.Provider.FREE,
        session_id=session_id,
        first_name=first,
        last_name=last,
        email=email,
        currency=show.currency,
        subtotal=subtotal,
        platform_fees=platform,
        payment_processing_fees=processing,
        total=subtotal + platform + processing,
        ticket_count=quantity,
        success=True,
        time_of_purchase=when,
    )
    Order.objects.filter(pk=order.pk).update(created_at=when)  # placed when paid, as a real order nearly is
    line = TicketOrder.objects.create(
        order=order,
        ticket=ticket,
        quantity=quantity,
        price_per_ticket=ticket.price,
        donation_amount=ticket.price if ticket.is_donation_based else Decimal("0.00"),
        total_price=subtotal,
    )
    TicketAttendee.objects.bulk_create(
        TicketAttendee(show=show, ticket_order=line, first_name=first, last_name=last, email=email)
        for _ in range(quantity)
    )
    Ticket.objects.filter(pk=ticket.pk).update(quantity_sold=ticket.quantity_sold + quantity)
    ticket.quantity_sold += quantity
    result.count(True)


@transaction.atomic
def seed_demo() -> SeedResult:
    """Create (or find) the demo platform. Returns how many rows were created and the logins."""
    result = SeedResult()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)

    _user(
        result,
        "admin",
        "Platform",
        "Admin",
        "admin@piquetickets.example",
        is_superuser=True,
        can_publish_shows=True,
    )
    result.logins.append(Login("Platform admin (/admin/)", "admin", ADMIN_PASSWORD))

    producers: list[Producer] = []
    for spec in PRODUCERS:
        producer, created = Producer.objects.get_or_create(
            name=spec["name"],
            defaults={"bio": spec["bio"], "country": spec["country"], "support_email": spec["user"][3]},
        )
        result.count(created)
        if created:
            producer.image.save(f"{producer.slug}.png", avatar_image(producer.name, spec["colors"]), save=True)
        _, created = ProducerFinancial.objects.get_or_create(producer=producer)
        result.count(created)
        username, first, last, email = spec["user"]
        user = _user(result, username, first, last, email, can_publish_shows=True)
        _, created = UserProducerAssociation.objects.get_or_create(
            user=user, producer=producer, defaults={"role": UserProducerAssociation.Role.OWNER}
        )
        result.count(created)
        result.logins.append(Login(f"Producer: {producer.name}", username, DEMO_PASSWORD))
        producers.append(producer)

    venues: list[Venue] = []
    for name, address, city, state, zip_code, tz, capacity, owner in VENUES:
        venue, created = Venue.objects.get_or_create(
            name=name,
            city=city,
            defaults={
                "address": address,
                "state": state,
                "zip_code": zip_code,
                "time_zone": tz,
                "capacity": capacity,
                "producer": producers[owner],
                "description": f"<p>{name} is an intimate room in {city}.</p>",
            },
        )
        result.count(created)
        venues.append(venue)

    performers: list[Performer] = []
    for name, city, owner in PERFORMERS:
        performer, created = Performer.objects.get_or_create(
            name=name,
            defaults={"city": city, "producer": producers[owner], "bio": f"<p>{name}, from {city}.</p>"},
        )
        result.count(created)
        if created:
            colors = PRODUCERS[owner]["colors"]
            performer.image.save(f"{performer.slug}.png", avatar_image(name, colors), save=True)
        performers.append(performer)

    author = User.objects.get(username="admin")
    for index, (title, p, v, days, hour, lineup, tickets) in enumerate(SHOWS):
        producer, venue = producers[p], venues[v]
        local_day = (now + timedelta(days=days)).astimezone(ZoneInfo(venue.time_zone)).date()
        start = datetime.combine(local_day, time(hour), tzinfo=ZoneInfo(venue.time_zone))
        show, created = Show.all_objects.get_or_create(
            title=title,
            producer=producer,
            defaults={
                "venue": venue,
                "door_time": start - timedelta(minutes=30),
                "start_time": start,
                "end_time": start + timedelta(hours=2),
                "time_zone": venue.time_zone,
                "description": f"<p>{title} at {venue.name}. Doors 30 minutes before the show.</p>",
                "age_restriction": Show.AgeRestriction.AGE_21 if p == 0 else Show.AgeRestriction.ALL_AGES,
                "refund_policy": Show.RefundPolicy.UNTIL_24H,
                "published": True,
                "published_at": now,
                "author": author,
            },
        )
        result.count(created)
        if created:
            show.performers.set(performers[i] for i in lineup)
            show.image.save(f"{show.slug}.png", poster_image(title, PRODUCERS[p]["colors"]), save=True)
            TicketPageDesign.objects.create(
                show=show, primary_color=PRODUCERS[p]["colors"][0], secondary_color=PRODUCERS[p]["colors"][1]
            )
            result.count(True)
        for order_index, (name, price, quantity, donation, sold) in enumerate(tickets):
            ticket, created = Ticket.objects.get_or_create(
                show=show,
                name=name,
                defaults={
                    "price": Decimal(price),
                    "quantity": quantity,
                    "is_donation_based": donation,
                    "sort_order": order_index,
                    "author": author,
                    "description": "Suggested $10; pay what you can at checkout." if donation else "",
                },
            )
            result.count(created)
            number = 0
            while ticket.quantity_sold < sold:
                qty = min(4, sold - ticket.quantity_sold)
                buyer = BUYERS[(index + number) % len(BUYERS)]
                _paid_order(result, ticket, number, qty, buyer, now - timedelta(days=1 + number % 5))
                number += 1
        if p == 0:
            _, created = TicketPromoCode.objects.get_or_create(
                show=show, code="EARLYBIRD", defaults={"discount_type": "percent", "discount": Decimal("20")}
            )
            result.count(created)
        else:
            _, created = TicketPromoCode.objects.get_or_create(
                show=show,
                code="FRIENDS",
                defaults={"discount_type": "fixed", "discount": Decimal("5.00"), "max_uses": 25},
            )
            result.count(created)

    for order, title in enumerate(FEATURED):
        show = Show.objects.get(title=title)
        _, created = FeaturedShow.objects.get_or_create(show=show, defaults={"order": order})
        result.count(created)

    for category_order, (name, description, articles) in enumerate(HELP_ARTICLES, start=1):
        category, created = KnowledgeCategory.objects.get_or_create(
            name=name, defaults={"order": category_order, "description": description}
        )
        result.count(created)
        for article_order, (title, summary, body) in enumerate(articles, start=1):
            _, created = KnowledgeArticle.objects.get_or_create(
                title=title,
                category=category,
                defaults={
                    "summary": summary,
                    "body": body,
                    "is_published": True,
                    "audience": "producers",
                    "order": article_order,
                },
            )
            result.count(created)

    # The portal's Analytics page is behind a feature flag: on for the demo producers.
    analytics_flag, created = Flag.objects.get_or_create(
        name="portal_analytics", defaults={"note": "The portal's Analytics page (/dashboard/analytics/)."}
    )
    result.count(created)
    analytics_flag.producers.add(*producers)

    _, created = Subscriber.objects.get_or_create(email="fan@listeners.example", defaults={"first_name": "Robin"})
    result.count(created)

    door_show = Show.objects.get(title="The Late Late Show")
    door, created = CheckInSession.objects.get_or_create(
        show=door_show, label="Front door (demo)", defaults={"expires_at": door_show.end_time + SESSION_MARGIN}
    )
    result.count(created)
    result.door_links.append((door_show.title, f"/checkin/?token={door.token}"))
    return result
