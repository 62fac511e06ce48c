"""The Payouts page ``/dashboard/payouts/``: the producer's Stripe Connect account and the money of each show.

- **Connect** (owners and staff): a POST asks ``payouts_onboarding_link`` for Stripe's onboarding page,
  with a return URL (``…/payouts/return/``: asks Stripe for the status now, then back to the page) and a
  refresh URL (``…/payouts/refresh/``: Stripe sends the producer there when the link ran out; it makes a
  new one).
- **Status**: details submitted, charges enabled, payouts enabled, and what Stripe still needs (its
  requirements, in words), asked of Stripe when the account is not ready yet; the stored status when
  Stripe can't be reached, saying so.
- **The Stripe Express dashboard** (owners and staff): a POST makes a one-time sign-in link.
- **Money per show**: gross, discounts, platform and processing fees, refunds and net, with totals
  (``payments.selectors.payouts_by_show``: one query).

Managers see the status and the money; starting onboarding and opening Stripe are the owners'. A refusal
of the payment provider is shown as a message at the top of the page (502 or 409), nothing half-written.
With the test payment provider (no Stripe keys) the page says so.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from piquetickets.core.csp import origin_of
from piquetickets.core.errors import ApplicationError
from piquetickets.core.money import format_money
from piquetickets.orders.tickets import _zone_abbreviation as zone_abbreviation
from piquetickets.orders.tickets import clock_time
from piquetickets.payments.errors import PaymentProviderError
from piquetickets.payments.selectors import FIELDS, payouts_by_show, payouts_totals
from piquetickets.payments.services import (
    PayoutsAccountStatus,
    payouts_account_check,
    payouts_dashboard_link,
    payouts_onboarding_link,
    payouts_refresh,
)
from piquetickets.producers.models import ProducerFinancial

from ..access import producer_required
from ..responses import see_other

# What Stripe's requirement names ask for, in words. Matched on the whole name, then on its first part.
REQUIREMENTS = {
    "external_account": "a bank account for payouts",
    "business_type": "the kind of business (individual or company)",
    "tos_acceptance.date": "accepting Stripe's terms of service",
    "tos_acceptance.ip": "accepting Stripe's terms of service",
    "business_profile.url": "your website or social profile",
    "business_profile.mcc": "what your business sells",
    "business_profile.product_description": "what your business sells",
    "individual.verification.document": "an identity document",
    "individual.verification.additional_document": "a second identity document",
    "individual.id_number": "your ID number (in the US, your SSN)",
    "individual.ssn_last_4": "the last 4 digits of your SSN",
    "individual.dob.day": "your date of birth",
    "individual.dob.month": "your date of birth",
    "individual.dob.year": "your date of birth",
    "individual.address.line1": "your home address",
    "individual.address.city": "your home address",
    "individual.address.postal_code": "your home address",
    "individual.address.state": "your home address",
    "individual.phone": "your phone number",
    "individual.email": "your email address",
    "individual.first_name": "your name",
    "individual.last_name": "your name",
    "company": "details of your company",
    "representative": "details of the company's representative",
    "owners": "the company's owners",
    "directors": "the company's directors",
    "executives": "the company's executives",
    "individual": "details about you",
    "settings": "your account settings (e.g. the statement descriptor)",
}
DISABLED_REASONS = {
    "requirements.past_due": "Stripe has paused this account until the details it needs are given.",
    "requirements.pending_verification": "Stripe is checking the details given; this usually takes minutes.",
    "under_review": "Stripe is reviewing this account.",
    "listed": "Stripe is reviewing this account.",
    "rejected": "Stripe rejected this account. Contact Stripe's support from the Express dashboard.",
}
NOT_SET_UP = "This site takes test payments only: payouts through Stripe are not set up (there are no Stripe keys)."


def requirement_words(names) -> list[str]:
    """Stripe's requirement names (``external_account``, ``individual.dob.day``…) in words, each once."""
    words: list[str] = []
    for name in names:
        word = REQUIREMENTS.get(name) or REQUIREMENTS.get(name.split(".")[0])
        if word is None:
            word = name.replace(".", " ").replace("_", " ")
        if word not in words:
            words.append(word)
    return words


def _disabled_words(reason: str) -> str:
    if not reason:
        return ""
    return DISABLED_REASONS.get(reason) or DISABLED_REASONS.get(reason.split(".")[0], "Stripe has paused this account.")


def _stripe_ready() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def _url(name: str) -> str:
    return f"{settings.SITE_URL}{reverse(name)}"


def _status(request, financial: ProducerFinancial | None) -> tuple[ProducerFinancial | None, dict]:
    """The account as Stripe reports it now when it isn't ready yet (what Stripe still needs), else as
    stored; ``unreachable`` when Stripe couldn't be asked."""
    needs: dict = {"currently_due": [], "past_due": [], "disabled": "", "unreachable": "", "asked": False}
    if financial is None or not financial.stripe_account_id or not _stripe_ready():
        return financial, needs
    if financial.charges_enabled and financial.payouts_enabled and financial.onboarding_completed:
        return financial, needs
    try:
        status: PayoutsAccountStatus | None = payouts_account_check(producer=request.producer)
    except PaymentProviderError as error:
        needs["unreachable"] = error.message
        return financial, needs
    if status is None:  # pragma: no cover - the account was there a moment ago
        return financial, needs
    needs.update(
        currently_due=requirement_words(status.currently_due),
        past_due=requirement_words(status.past_due),
        disabled=_disabled_words(status.disabled_reason),
        asked=True,
    )
    return status.financial, needs


def _money_row(row) -> dict:
    when = ""
    if row.start_time:
        local = timezone.localtime(row.start_time, ZoneInfo(row.time_zone))  # the show's own date
        when = f"{local:%a} {local.day} {local:%b} {local.year}"
    return {
        "row": row,
        "when": when,
        **{name: format_money(getattr(row, name), row.currency) for name in FIELDS},
    }


def _page(request, *, refusal: str = "", status: int = 200):
    portal = request.portal
    financial = ProducerFinancial.objects.filter(producer=request.producer).first()
    financial, needs = _status(request, financial)
    rows = payouts_by_show(producer=request.producer)
    connected = bool(financial and financial.stripe_account_id)
    ready = bool(connected and financial.charges_enabled and financial.payouts_enabled)
    checked = ""
    if financial and financial.last_status_check:
        local = timezone.localtime(financial.last_status_check)
        checked = f"{local:%a} {local.day} {local:%b} {local.year} · {clock_time(local)} {zone_abbreviation(local)}"
    context = {
        "stripe_ready": _stripe_ready(),
        "not_set_up": NOT_SET_UP,
        "may_connect": portal.can_manage_team,
        "financial": financial,
        "connected": connected,
        "ready": ready,
        "checked": checked,
        "needs": needs,
        "rows": [_money_row(row) for row in rows],
        "totals": [_money_row(row) for row in payouts_totals(rows)],
        "refusal": refusal,
    }
    return _allow_stripe_forms(render(request, "portal/payouts/index.html", context, status=status))


def _onboarding_link(request) -> str:
    return payouts_onboarding_link(
        producer=request.producer,
        return_url=_url("portal:payouts-return"),
        refresh_url=_url("portal:payouts-refresh"),
    )


# Where the forms of the page send the producer on: Stripe's Connect pages (onboarding, the Express
# dashboard), or the Stripe-compatible server STRIPE_API_BASE names (tests, local runs). Chromium applies
# form-action to where a form's answer redirects too, so only this page's policy adds them.
STRIPE_CONNECT_ORIGIN = "https://connect.stripe.com"


def _allow_stripe_forms(response):
    """Add the origins the site's policy lacks (with ``PAYMENT_PROVIDER=stripe`` it has Connect's)."""
    allowed = set(settings.CSP_FORM_ACTION_ORIGINS)
    origins = [o for o in (STRIPE_CONNECT_ORIGIN, origin_of(settings.STRIPE_API_BASE)) if o and o not in allowed]
    if origins:
        response._csp_update = {"form-action": list(dict.fromkeys(origins))}
    return response


def _refused(request, error: ApplicationError):
    return _page(request, refusal=error.message, status=error.status)


@require_GET
@producer_required
def payouts(request):
    return _page(request)


@require_POST
@producer_required(owner_only=True)
def payouts_connect(request):
    try:
        url = _onboarding_link(request)
    except ApplicationError as error:
        return _refused(request, error)
    return see_other(url)


@require_GET
@producer_required(owner_only=True)
def payouts_refresh_link(request):
    """Stripe sends the producer here when the onboarding link ran out: a new one, straight to Stripe."""
    try:
        url = _onboarding_link(request)
    except ApplicationError as error:
        return _refused(request, error)
    return HttpResponseRedirect(url)


@require_GET
@producer_required
def payouts_return(request):
    """Back from Stripe's onboarding: ask Stripe for the status now, then show the page."""
    if not _stripe_ready():
        messages.info(request, NOT_SET_UP)
        return see_other(reverse("portal:payouts"))
    try:
        financial = payouts_refresh(producer=request.producer)
    except ApplicationError as error:
        messages.error(request, f"Back from Stripe, but we couldn't ask it for your account's status: {error.message}")
        return see_other(reverse("portal:payouts"))
    if financial is None:
        messages.info(request, "No Stripe account is connected yet.")
    elif financial.charges_enabled and financial.payouts_enabled:
        messages.success(request, "Your Stripe account is connected: you can sell tickets and be paid.")
    else:
        messages.info(request, "Back from Stripe. It still needs a few details before you can be paid: see below.")
    return see_other(reverse("portal:payouts"))


@require_POST
@producer_required(owner_only=True)
def payouts_dashboard(request):
    try:
        url = payouts_dashboard_link(producer=request.producer)
    except ApplicationError as error:
        return _refused(request, error)
    return see_other(url)
