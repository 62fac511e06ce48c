"""The portal's Payouts page: Stripe Connect onboarding, the account's status and what Stripe still needs,
the Express dashboard link (against the local Stripe server, ``tests/stripe_server.py``), and the money of
each show (authorization of every URL is in the matrix, ``tests/portal/matrix_areas/payouts.py``)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from piquetickets.payments.selectors import payouts_by_show
from piquetickets.portal.views.payouts import _disabled_words, requirement_words
from piquetickets.producers.models import ProducerFinancial
from tests.factories import OrderFactory, ProducerFactory, ShowFactory

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/payouts/"


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _connect(client, server) -> str:
    response = client.post(reverse("portal:payouts-connect"))
    assert response.status_code == 303, response.content
    account = ProducerFinancial.objects.get().stripe_account_id
    assert response["Location"] == f"{server.url}/connect/onboard/{account}"
    return account


# --- without Stripe keys -------------------------------------------------------------------------------


def test_with_the_test_payment_provider_the_page_says_so_and_nothing_connects(owner_client, settings):
    settings.STRIPE_SECRET_KEY = ""
    page = owner_client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "This site takes test payments only: payouts through Stripe are not set up" in html
    assert "Connect Stripe" not in html

    response = owner_client.post(reverse("portal:payouts-connect"))
    assert response.status_code == 409
    assert "Payouts through Stripe are not set up on this site." in response.content.decode()
    assert not ProducerFinancial.objects.exists()
    assert owner_client.post(reverse("portal:payouts-dashboard")).status_code == 409
    back = owner_client.get(reverse("portal:payouts-return"))
    assert back.status_code == 303


# --- onboarding against the local Stripe server --------------------------------------------------------


def test_connect_makes_one_express_account_with_return_and_refresh_urls_to_the_portal(
    owner_client, producer, stripe_on, settings
):
    settings.SITE_URL = "https://tickets.example"
    page = owner_client.get(PAGE).content.decode()
    assert "Connect Stripe" in page

    account = _connect(owner_client, stripe_on)

    created = [r for r in stripe_on.requests if r.path == "/v1/accounts"]
    assert [r.params["type"] for r in created] == ["express"]
    (link,) = [r for r in stripe_on.requests if r.path == "/v1/account_links"]
    assert link.params == {
        "account": account,
        "refresh_url": "https://tickets.example/dashboard/payouts/refresh/",
        "return_url": "https://tickets.example/dashboard/payouts/return/",
        "type": "account_onboarding",
    }
    # a second click resumes with the same account
    assert _connect(owner_client, stripe_on) == account
    assert len([r for r in stripe_on.requests if r.path == "/v1/accounts"]) == 1


def test_an_account_not_ready_shows_what_stripe_still_needs_in_words(owner_client, stripe_on):
    _connect(owner_client, stripe_on)

    page = owner_client.get(PAGE)

    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["needs"]["past_due"] == [
        "the kind of business (individual or company)",
        "a bank account for payouts",
        "accepting Stripe's terms of service",
    ]
    assert 'A bank account for payouts <span class="badge badge--danger">Overdue</span>' in html
    assert "Stripe has paused this account until the details it needs are given." in html
    assert "Continue with Stripe" in html
    assert "Open the Stripe Express dashboard" not in html  # not before onboarding is done
    financial = ProducerFinancial.objects.get()
    assert (financial.charges_enabled, financial.payouts_enabled, financial.last_status_check is not None) == (
        False,
        False,
        True,
    )


def test_back_from_stripe_the_status_is_asked_and_stored(owner_client, stripe_on):
    account = _connect(owner_client, stripe_on)
    stripe_on.complete_onboarding(account)  # the producer finished on Stripe's pages

    response = owner_client.get(reverse("portal:payouts-return"))

    assert response.status_code == 303
    assert response["Location"] == PAGE
    assert _messages(response) == ["Your Stripe account is connected: you can sell tickets and be paid."]
    financial = ProducerFinancial.objects.get()
    assert (financial.onboarding_completed, financial.charges_enabled, financial.payouts_enabled) == (True, True, True)

    asked = len(stripe_on.requests)
    page = owner_client.get(PAGE)
    assert len(stripe_on.requests) == asked  # a ready account is shown as stored: no call to Stripe
    html = page.content.decode()
    assert "Connected" in html
    assert "Open the Stripe Express dashboard" in html
    assert "What Stripe still needs" not in html


def test_back_from_stripe_not_finished_says_details_are_missing(owner_client, stripe_on):
    _connect(owner_client, stripe_on)
    response = owner_client.get(reverse("portal:payouts-return"))
    assert response.status_code == 303
    assert _messages(response) == ["Back from Stripe. It still needs a few details before you can be paid: see below."]


def test_an_expired_onboarding_link_makes_a_new_one(owner_client, stripe_on):
    account = _connect(owner_client, stripe_on)
    response = owner_client.get(reverse("portal:payouts-refresh"))
    assert response.status_code == 302
    assert response["Location"] == f"{stripe_on.url}/connect/onboard/{account}"
    assert len([r for r in stripe_on.requests if r.path == "/v1/account_links"]) == 2


def test_the_express_dashboard_opens_through_a_login_link(owner_client, stripe_on):
    account = _connect(owner_client, stripe_on)
    stripe_on.complete_onboarding(account)
    owner_client.get(reverse("portal:payouts-return"))

    response = owner_client.post(reverse("portal:payouts-dashboard"))

    assert response.status_code == 303
    assert response["Location"] == f"{stripe_on.url}/express/{account}"
    assert [r.path for r in stripe_on.requests][-1] == f"/v1/accounts/{account}/login_links"


def test_the_express_dashboard_before_onboarding_is_refused_clearly(owner_client, stripe_on):
    _connect(owner_client, stripe_on)
    response = owner_client.post(reverse("portal:payouts-dashboard"))
    assert response.status_code == 502
    html = response.content.decode()
    assert "Error: Payouts" in html
    assert "<p>Cannot create a login link for an account that has not completed onboarding.</p>" in html


def test_the_express_dashboard_without_an_account_says_connect_first(owner_client, stripe_on):
    response = owner_client.post(reverse("portal:payouts-dashboard"))
    assert response.status_code == 409
    assert "Connect a Stripe account first." in response.content.decode()


def test_stripe_failing_at_connect_is_a_clear_message_and_no_account_is_stored(owner_client, stripe_on):
    stripe_on.fail_next("POST", "/v1/accounts", status=500)
    response = owner_client.post(reverse("portal:payouts-connect"))
    assert response.status_code == 502
    assert "That didn't work" in response.content.decode()
    assert ProducerFinancial.objects.get().stripe_account_id == ""


def test_stripe_unreachable_on_the_page_shows_the_last_status_heard(owner_client, stripe_on):
    account = _connect(owner_client, stripe_on)
    stripe_on.fail_next("GET", f"/v1/accounts/{account}", status=500)
    page = owner_client.get(PAGE)
    assert page.status_code == 200
    assert "Stripe couldn't be reached just now" in page.content.decode()


def test_stripe_unreachable_on_return_is_said(owner_client, stripe_on):
    account = _connect(owner_client, stripe_on)
    stripe_on.fail_next("GET", f"/v1/accounts/{account}", status=500)
    response = owner_client.get(reverse("portal:payouts-return"))
    assert response.status_code == 303
    (message,) = _messages(response)
    assert message.startswith("Back from Stripe, but we couldn't ask it for your account's status:")


def test_a_manager_sees_the_status_but_cant_connect_or_open_stripe(client, manager, stripe_on):
    client.force_login(manager)
    page = client.get(PAGE).content.decode()
    assert "Only an owner of your team can connect Stripe." in page
    assert "Connect Stripe</button>" not in page
    assert client.post(reverse("portal:payouts-connect")).status_code == 403
    assert client.post(reverse("portal:payouts-dashboard")).status_code == 403
    assert client.get(reverse("portal:payouts-refresh")).status_code == 403
    assert not ProducerFinancial.objects.exists()
    assert stripe_on.requests == []


def test_requirement_words_name_each_need_once():
    assert requirement_words(["individual.dob.day", "individual.dob.year", "company.tax_id", "brand_new.thing"]) == [
        "your date of birth",
        "details of your company",
        "brand new thing",
    ]


# --- money per show ------------------------------------------------------------------------------------


def _paid(show, *, subtotal, discount="0", platform="0", processing="0", total, refunded="0", **kwargs):
    return OrderFactory(
        show=show, success=True, time_of_purchase=timezone.now(), subtotal=Decimal(subtotal),
        promo_code_discount=Decimal(discount),
        platform_fees=Decimal(platform), payment_processing_fees=Decimal(processing), total=Decimal(total),
        refunded_amount=Decimal(refunded), **{"status": "paid", **kwargs},
    )  # fmt: skip


def test_money_per_show_with_fees_discounts_refunds_and_net(owner_client, producer):
    friday = ShowFactory(producer=producer, title="Friday Laughs")
    saturday = ShowFactory(producer=producer, title="Saturday Jazz", start_time=friday.start_time.replace(year=2099))
    # fees passed to the buyer: 40 of tickets, 4 off, 2.00 + 1.50 fees on top: paid 39.50, keeps 36.00
    _paid(friday, subtotal="40", discount="4", platform="2.00", processing="1.50", total="39.50")
    # fees taken from the producer: paid 20, keeps 20 - 1.00 - 0.90
    _paid(friday, subtotal="20", platform="1.00", processing="0.90", total="20", fees_passed_to_buyer=False)
    # half refunded: keeps half of (21.30 - 1.30)
    _paid(
        saturday,
        subtotal="20",
        platform="0.80",
        processing="0.50",
        total="21.30",
        refunded="10.65",
        status="partially_refunded",
    )
    _paid(saturday, subtotal="0", total="0", provider="free")  # a free order: nothing either way
    OrderFactory(show=friday, status="pending", subtotal=Decimal("99"), total=Decimal("99"))  # not paid
    _paid(ShowFactory(title="Someone else's"), subtotal="500", total="500")

    response = owner_client.get(PAGE)

    rows = {row.title: row for row in payouts_by_show(producer=producer)}
    friday_row, saturday_row = rows["Friday Laughs"], rows["Saturday Jazz"]
    assert (friday_row.orders, friday_row.gross, friday_row.discounts, friday_row.paid) == (
        2, Decimal("60.00"), Decimal("4.00"), Decimal("59.50"),
    )  # fmt: skip
    assert (friday_row.platform_fees, friday_row.processing_fees, friday_row.refunds, friday_row.net) == (
        Decimal("3.00"), Decimal("2.40"), Decimal("0.00"), Decimal("54.10"),
    )  # fmt: skip
    assert (saturday_row.orders, saturday_row.refunds, saturday_row.net) == (2, Decimal("10.65"), Decimal("10.00"))
    assert [line["row"].title for line in response.context["rows"]] == ["Saturday Jazz", "Friday Laughs"]
    (total,) = response.context["totals"]
    assert (total["gross"], total["paid"], total["refunds"], total["net"]) == ("$80.00", "$80.80", "$10.65", "$64.10")
    html = response.content.decode()
    assert "$54.10" in html
    assert "Someone else" not in html


def test_fees_above_a_cheap_orders_price_never_make_its_net_negative(owner_client, producer):
    """Stripe's application fee is at most the payment (payments.providers): a $0.50 ticket whose fixed
    fees (0.80) are taken from the producer leaves the producer nothing, not -0.30."""
    show = ShowFactory(producer=producer, title="Cheap seats")
    _paid(show, subtotal="0.50", platform="0.50", processing="0.30", total="0.50", fees_passed_to_buyer=False)
    _paid(show, subtotal="20", platform="1.00", processing="0.90", total="20", fees_passed_to_buyer=False)

    (row,) = payouts_by_show(producer=producer)

    assert (row.paid, row.net) == (Decimal("20.50"), Decimal("18.10"))


def test_money_in_several_currencies_is_summed_per_currency(owner_client, producer):
    berlin = ShowFactory(producer=producer, title="Berlin", currency="EUR")
    tokyo = ShowFactory(producer=producer, title="Tokyo", currency="JPY")
    _paid(berlin, subtotal="30", platform="1.20", processing="0.60", total="31.80", currency="EUR")
    _paid(tokyo, subtotal="3000", platform="120", processing="90", total="3210", refunded="1605", currency="JPY")

    response = owner_client.get(PAGE)

    eur, jpy = response.context["totals"]
    assert (eur["row"].currency, eur["paid"], eur["net"]) == ("EUR", "31.80 EUR", "30.00 EUR")
    assert (jpy["row"].currency, jpy["paid"], jpy["refunds"], jpy["net"]) == (
        "JPY", "3,210 JPY", "1,605 JPY", "1,500 JPY",
    )  # fmt: skip


def test_money_per_show_takes_the_same_queries_for_one_show_as_for_many(owner_client, producer, settings):
    settings.STRIPE_SECRET_KEY = ""
    show = ShowFactory(producer=producer)
    _paid(show, subtotal="20", total="20")
    owner_client.get(PAGE)
    with CaptureQueriesContext(connection) as one:
        owner_client.get(PAGE)
    for n in range(8):
        other = ShowFactory(producer=producer, title=f"Show {n}")
        for _ in range(3):
            _paid(other, subtotal="15", total="15")
    with CaptureQueriesContext(connection) as many:
        response = owner_client.get(PAGE)
    assert len(response.context["rows"]) == 9
    assert len(many) == len(one)


def test_no_paid_orders_yet(owner_client, settings):
    settings.STRIPE_SECRET_KEY = ""
    html = owner_client.get(PAGE).content.decode()
    assert "No paid orders yet." in html


def test_another_producers_money_is_not_listed(client, producer):
    theirs = ProducerFactory()
    _paid(ShowFactory(producer=producer, title="Ours"), subtotal="10", total="10")
    assert [row.title for row in payouts_by_show(producer=theirs)] == []


def test_only_the_payouts_page_lets_its_forms_lead_on_to_stripe(owner_client, stripe_on):
    policy = owner_client.get(PAGE)["Content-Security-Policy"]
    (form_action,) = [d.strip() for d in policy.split(";") if d.strip().startswith("form-action")]
    assert form_action.split()[1:] == ["'self'", "https://connect.stripe.com", stripe_on.url]
    elsewhere = owner_client.get("/dashboard/")["Content-Security-Policy"]
    assert "connect.stripe.com" not in elsewhere


def test_each_show_is_dated_on_its_own_clock(owner_client, producer, settings):
    settings.STRIPE_SECRET_KEY = ""
    late = datetime(2030, 3, 9, 2, 30, tzinfo=UTC)  # Friday 8:30 PM in Chicago
    _paid(ShowFactory(producer=producer, start_time=late, time_zone="America/Chicago"), subtotal="10", total="10")
    (line,) = owner_client.get(PAGE).context["rows"]
    assert line["when"] == "Fri 8 Mar 2030"


def test_a_site_whose_policy_has_stripe_connect_already_names_it_once(owner_client, settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.CSP_FORM_ACTION_ORIGINS = ["https://checkout.stripe.com", "https://connect.stripe.com"]
    response = owner_client.get(PAGE)
    assert not hasattr(response, "_csp_update")


def test_back_from_stripe_without_an_account_says_so(owner_client, stripe_on):
    response = owner_client.get(reverse("portal:payouts-return"))
    assert response.status_code == 303
    assert _messages(response) == ["No Stripe account is connected yet."]
    assert stripe_on.requests == []


def test_why_stripe_paused_an_account_in_words():
    assert _disabled_words("") == ""
    assert _disabled_words("rejected.fraud").startswith("Stripe rejected this account.")
    assert _disabled_words("something_new") == "Stripe has paused this account."


def test_an_expired_onboarding_link_without_stripe_keys_is_refused_plainly(owner_client, settings):
    settings.STRIPE_SECRET_KEY = ""
    response = owner_client.get(reverse("portal:payouts-refresh"))
    assert response.status_code == 409
    assert "Payouts through Stripe are not set up on this site." in response.content.decode()
