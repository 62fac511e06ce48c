"""Check-in: door links (sessions) and scans that admit each ticket exactly once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from piquetickets.core.errors import InvalidInput
from piquetickets.orders.models import TicketAttendee
from piquetickets.orders.tickets import clock_time, show_local, ticket_code_range
from piquetickets.shows.models import Show

from .errors import InvalidSession, NotCheckedIn, SessionExpired, SessionRevoked
from .models import CheckInScan, CheckInSession
from .selectors import checkin_counts_moved

# A door link stays usable this long after the show ends (late arrivals, a second set, clean-up).
SESSION_MARGIN = timedelta(hours=6)
# ...and at most this long: a door link is a key to the door, not a standing pass (and a date like
# 9999-12-31 on the show's clock is no time a database can store).
SESSION_LONGEST_AFTER_SHOW = timedelta(days=30)
Result = CheckInScan.Result
SESSION_FIELDS = (
    "session_id", "token", "label", "expires_at", "revoked_at", "show_id", "show__producer_id",
    "show__title", "show__slug", "show__start_time", "show__door_time", "show__time_zone", "show__venue__name",
)  # fmt: skip


def checkin_session_default_expiry(show: Show) -> datetime:
    """When a door link for ``show`` stops working unless told otherwise: the show's end plus
    :data:`SESSION_MARGIN`. The API and the admin both use it."""
    return show.end_time + SESSION_MARGIN


def checkin_session_expiry(*, show: Show, expires_at: datetime | None = None, now=None) -> datetime:
    """When a door link for ``show`` stops working: ``expires_at``, or when empty
    :func:`checkin_session_default_expiry`. The rule for every new door link (the API's, the admin's).

    Raises :class:`InvalidInput` (``extra.fields.expires_at``) when that time has passed, saying so
    when it is the default of a show that ended too long ago: a link must work when it is made; and
    when it is more than :data:`SESSION_LONGEST_AFTER_SHOW` after the show's end.
    """
    now = now or timezone.now()
    if expires_at is None:
        expires_at = checkin_session_default_expiry(show)
        if expires_at <= now:
            hours = int(SESSION_MARGIN.total_seconds() // 3600)
            message = (
                f"This show ended more than {hours} hours ago, so a link with the default expiry would not work. "
                "Choose a time in the future."
            )
            raise InvalidInput(extra={"fields": {"expires_at": [message]}})
    if expires_at <= now:
        raise InvalidInput(extra={"fields": {"expires_at": ["Choose a time in the future."]}})
    latest = show.end_time + SESSION_LONGEST_AFTER_SHOW
    if expires_at > latest:
        local = show_local(show, latest)
        message = (
            f"A door link works at most {SESSION_LONGEST_AFTER_SHOW.days} days after the show ends: "
            f"choose a time up to {local.day} {local:%b} {local.year}, {clock_time(local)}."
        )
        raise InvalidInput(extra={"fields": {"expires_at": [message]}})
    return expires_at


def checkin_session_create(*, show: Show, label: str = "", expires_at: datetime | None = None, by=None):
    """A door link for ``show``: an unguessable 256-bit token, usable until ``expires_at`` (default:
    :func:`checkin_session_default_expiry`). Raises :class:`InvalidInput` for an expiry that has
    passed (:func:`checkin_session_expiry`)."""
    expires_at = checkin_session_expiry(show=show, expires_at=expires_at)
    return CheckInSession.objects.create(show=show, label=label, expires_at=expires_at, created_by=by)


def checkin_session_update(*, session: CheckInSession, label: str, expires_at: datetime) -> CheckInSession:
    """Rename a door link or move its expiry (earlier or later, never into the past).

    Raises :class:`InvalidInput` for an expiry that has passed (``extra.fields.expires_at``, as
    :func:`checkin_session_expiry`) and for a link that was revoked: switched off stays off.
    """
    if session.revoked_at is not None:
        raise InvalidInput("This link was switched off, so it can't be changed. Make a new one.")
    expires_at = checkin_session_expiry(show=session.show, expires_at=expires_at)
    session.label, session.expires_at = label, expires_at
    session.save(update_fields=["label", "expires_at", "updated_at"])
    return session


def checkin_session_revoke(*, session: CheckInSession) -> CheckInSession:
    """Switch a door link off now (it keeps its scan log). Revoking twice keeps the first time."""
    CheckInSession.objects.filter(pk=session.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    session.refresh_from_db()
    return session


def checkin_session_for_token(*, token: str, now=None) -> CheckInSession:
    """The usable session behind a door link's token.

    Raises :class:`InvalidSession` (unknown or missing token), :class:`SessionRevoked` or
    :class:`SessionExpired`.
    """
    now = now or timezone.now()
    session = None
    if token and len(token) <= 64:
        session = CheckInSession.objects.select_related("show__venue").only(*SESSION_FIELDS).filter(token=token).first()
    if session is None:
        raise InvalidSession()
    if session.revoked_at is not None:
        raise SessionRevoked()
    if session.expires_at <= now:
        raise SessionExpired()
    return session


@dataclass(frozen=True)
class ScanOutcome:
    """How a scan was answered: ``code`` is a :class:`CheckInScan.Result` value."""

    code: str
    message: str
    attendee: TicketAttendee | None = None
    checked_in_at: datetime | None = None
    checked_in_by: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def admitted(self) -> bool:
        return self.code == Result.CHECKED_IN


# What a scan answer shows, and no more: the lookup is on the hot path of the door.
ATTENDEE_FIELDS = (
    "uuid", "show_id", "first_name", "last_name", "status", "is_checked_in", "checked_in_at",
    "ticket_order__ticket__name", "ticket_order__order__uuid", "show__title", "show__time_zone", "show__producer_id",
    "checked_in_session__label",
)  # fmt: skip


class _SharedShortCode(Exception):
    """Two tickets of the show start with the code typed: only the whole code (or the QR code) tells."""


def _attendee_for(code: str, *, show_id: int | None = None) -> TicketAttendee | None:
    """The ticket whose UUID is ``code``; or, given the door's show, the one of that show whose UUID
    starts with ``code`` when it is a short code (read by a range of the UUID index, on SQLite as on
    PostgreSQL). Raises :class:`_SharedShortCode` when two of the show's tickets share it."""
    tickets = TicketAttendee.objects.select_related(
        "ticket_order__ticket", "ticket_order__order", "show", "checked_in_session"
    ).only(*ATTENDEE_FIELDS)
    span = ticket_code_range(code)
    if span is None:
        return None
    if span[0] == span[1]:
        return tickets.filter(uuid=span[0]).first()
    if show_id is None:
        return None
    found = list(tickets.filter(show_id=show_id, uuid__range=span).order_by()[:2])
    if len(found) > 1:
        raise _SharedShortCode
    return found[0] if found else None


def _refusal(attendee: TicketAttendee, session: CheckInSession) -> ScanOutcome:
    if attendee.status == TicketAttendee.Status.REFUNDED:
        return ScanOutcome(Result.REFUNDED, "This ticket was refunded. Don't let it in.", attendee)
    if attendee.status == TicketAttendee.Status.CANCELLED:
        return ScanOutcome(Result.CANCELLED, "This ticket was cancelled. Don't let it in.", attendee)
    by = attendee.checked_in_session.label if attendee.checked_in_session else ""
    at = clock_time(show_local(session.show, attendee.checked_in_at)) if attendee.checked_in_at else "an earlier time"
    return ScanOutcome(
        Result.ALREADY_CHECKED_IN,
        f"Already checked in at {at}" + (f" by {by}." if by else "."),
        attendee,
        checked_in_at=attendee.checked_in_at,
        checked_in_by=by,
    )


def check_in_attendee(*, session: CheckInSession, code: str, now=None) -> ScanOutcome:
    """Admit the ticket whose UUID is ``code`` (or, for a ticket of this show, its 8-character short code)
    at ``session``'s show, exactly once.

    One conditional UPDATE (valid, this show, not yet checked in) decides: of two devices scanning the
    same ticket at the same moment, one gets ``checked_in`` and the other ``already_checked_in``
    with when and by which door. Unknown codes, other shows' tickets, refunded and cancelled tickets
    are refused with their reason. Every scan is logged. Never raises for a bad ticket.
    """
    now = now or timezone.now()
    code = (code or "").strip()[:100]
    shared = False
    try:
        attendee = _attendee_for(code, show_id=session.show_id)
    except _SharedShortCode:
        attendee, shared = None, True
    if shared:
        outcome = ScanOutcome(
            Result.NOT_FOUND, "Two tickets start with this code: scan the QR code or type the whole code."
        )
    elif attendee is None:
        outcome = ScanOutcome(Result.NOT_FOUND, "This code isn't a ticket we know.")
    elif attendee.show_id != session.show_id and attendee.show.producer_id != session.show.producer_id:
        # Another producer's ticket: say no more than that (no buyer, order or show), and log no attendee.
        outcome = ScanOutcome(Result.WRONG_SHOW, "This ticket is for another show.")
    elif attendee.show_id != session.show_id:
        outcome = ScanOutcome(
            Result.WRONG_SHOW,
            f"This ticket is for another show: {attendee.show.title}.",
            attendee,
            extra={"show": attendee.show.title},
        )
    else:
        admitted = TicketAttendee.objects.filter(
            pk=attendee.pk, status=TicketAttendee.Status.VALID, is_checked_in=False
        ).update(is_checked_in=True, checked_in_at=now, checked_in_session=session, updated_at=now)
        if admitted:
            checkin_counts_moved(show_id=session.show_id, by=1)
            attendee.is_checked_in, attendee.checked_in_at, attendee.checked_in_session = True, now, session
            outcome = ScanOutcome(
                Result.CHECKED_IN, "Checked in", attendee, checked_in_at=now, checked_in_by=session.label
            )
        else:
            attendee = _attendee_for(str(attendee.uuid))  # what the other device (or a refund) did first
            outcome = _refusal(attendee, session)
    CheckInScan.objects.create(
        session=session, attendee=outcome.attendee, code=code, result=outcome.code, created_at=now
    )
    return outcome


def check_in_undo(*, session: CheckInSession, code: str, now=None) -> TicketAttendee:
    """Undo a check-in made at this show (someone scanned the wrong ticket). Logged as ``undone``.

    Raises :class:`NotCheckedIn` when the ticket isn't checked in (or isn't this show's).
    """
    now = now or timezone.now()
    try:
        attendee = _attendee_for(code or "", show_id=session.show_id)
    except _SharedShortCode:
        attendee = None
    if attendee is None or attendee.show_id != session.show_id:
        raise NotCheckedIn("This ticket isn't checked in at this show.")
    with transaction.atomic():
        undone = TicketAttendee.objects.filter(pk=attendee.pk, is_checked_in=True).update(
            is_checked_in=False, checked_in_at=None, checked_in_session=None, updated_at=now
        )
        if not undone:
            raise NotCheckedIn()
        CheckInScan.objects.create(
            session=session, attendee=attendee, code=str(attendee.uuid), result=Result.UNDONE, created_at=now
        )
    checkin_counts_moved(show_id=session.show_id, by=-1)
    attendee.is_checked_in, attendee.checked_in_at, attendee.checked_in_session = False, None, None
    return attendee
