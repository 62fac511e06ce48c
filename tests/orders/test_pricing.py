from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piquetickets.orders.errors import DonationTooLow, PromoCodeInvalid
from piquetickets.orders.pricing import CartLine, FeePolicy, fee_policy_for, price_cart
from piquetickets.producers.models import ProducerFinancial
from piquetickets.shows.models import Show, Ticket, TicketPromoCode
from tests.factories import PromoCodeFactory, ShowFactory, TicketFactory

D = Decimal
STANDARD = FeePolicy(D("3.0"), D("0.99"), D("2.9"), D("0.30"), passed_to_buyer=True)
ABSORBED = FeePolicy(D("3.0"), D("0.99"), D("2.9"), D("0.30"), passed_to_buyer=False)


def unsaved_show(currency="USD") -> Show:
    return Show(pk=1, title="Priced", currency=currency)


def ticket(price, pk=1, donation=False) -> Ticket:
    return Ticket(pk=pk, show_id=1, name=f"T{pk}", price=D(price), quantity=100, is_donation_based=donation)


def test_plain_cart_with_fees_passed_to_buyer():
    cart = price_cart(show=unsaved_show(), lines=[CartLine(ticket("20.00"), 2)], promo=None, policy=STANDARD)
    # 40.00 net; platform 3% = 1.20 + 2 × 0.99 = 3.18; processing 2.9% of 43.18 = 1.25222 + 0.30 = 1.55
    assert (cart.subtotal, cart.discount, cart.platform_fee, cart.processing_fee) == (
        D("40.00"), D("0"), D("3.18"), D("1.55"),
    )  # fmt: skip
    assert cart.total == D("44.73")
    assert cart.producer_payout == D("40.00")
    assert cart.lines[0].total == D("40.00")


def test_fees_absorbed_come_out_of_the_payout():
    cart = price_cart(show=unsaved_show(), lines=[CartLine(ticket("20.00"), 2)], promo=None, policy=ABSORBED)
    # processing on 40.00: 1.16 + 0.30 = 1.46
    assert (cart.total, cart.platform_fee, cart.processing_fee, cart.producer_payout) == (
        D("40.00"), D("3.18"), D("1.46"), D("35.36"),
    )  # fmt: skip


def test_free_tickets_cost_nothing_and_carry_no_fees():
    cart = price_cart(show=unsaved_show(), lines=[CartLine(ticket("0.00"), 3)], promo=None, policy=STANDARD)
    assert (cart.total, cart.platform_fee, cart.processing_fee) == (D("0"), D("0"), D("0"))


def test_donation_ticket_takes_the_buyers_amount_above_the_minimum():
    pwyc = ticket("5.00", donation=True)
    cart = price_cart(show=unsaved_show(), lines=[CartLine(pwyc, 2, D("12.50"))], promo=None, policy=STANDARD)
    assert (cart.lines[0].unit_price, cart.lines[0].donation_amount, cart.subtotal) == (
        D("12.50"),
        D("12.50"),
        D("25.00"),
    )
    with pytest.raises(DonationTooLow) as excinfo:
        price_cart(show=unsaved_show(), lines=[CartLine(pwyc, 1, D("4.99"))], promo=None, policy=STANDARD)
    assert excinfo.value.message == "The minimum for T1 is 5.00 USD."
    assert excinfo.value.extra == {"ticket": 1, "minimum": "5.00"}


def test_donation_without_amount_pays_the_minimum():
    cart = price_cart(
        show=unsaved_show(), lines=[CartLine(ticket("0.00", donation=True), 1)], promo=None, policy=STANDARD
    )
    assert cart.total == D("0")


def test_yen_has_no_minor_unit():
    cart = price_cart(show=unsaved_show("JPY"), lines=[CartLine(ticket("1500"), 3)], promo=None, policy=STANDARD)
    assert cart.subtotal == D("4500")
    assert cart.platform_fee.as_tuple().exponent == 0


@pytest.mark.django_db
def test_percentage_promo_limited_to_one_ticket_type():
    show = ShowFactory()
    ga, vip = TicketFactory(show=show, price=D("20.00")), TicketFactory(show=show, price=D("50.00"), name="VIP")
    promo = PromoCodeFactory(show=show, code="VIPHALF", discount=D("50"))
    promo.tickets.add(vip)
    cart = price_cart(show=show, lines=[CartLine(ga, 1), CartLine(vip, 2)], promo=promo, policy=STANDARD)
    assert [line.discount for line in cart.lines] == [D("0"), D("50.00")]
    assert cart.discount == D("50.00")
    assert cart.subtotal - cart.discount == D("70.00")


@pytest.mark.django_db
def test_fixed_promo_never_exceeds_the_ticket_price():
    show = ShowFactory()
    cheap = TicketFactory(show=show, price=D("4.00"))
    promo = PromoCodeFactory(show=show, discount_type="fixed", discount=D("5.00"))
    cart = price_cart(show=show, lines=[CartLine(cheap, 3)], promo=promo, policy=STANDARD)
    assert (cart.discount, cart.total, cart.platform_fee) == (D("12.00"), D("0"), D("0"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"is_active": False}, "This promo code isn't valid for this show."),
        ({"valid_from": timezone.now() + timedelta(days=1)}, "This promo code isn't active yet."),
        ({"valid_until": timezone.now() - timedelta(seconds=1)}, "This promo code has expired."),
        ({"max_uses": 2, "times_used": 2}, "This promo code has been used up."),
    ],
)
def test_unusable_promo_codes_say_why(change, reason):
    show = ShowFactory()
    promo = PromoCodeFactory(show=show)
    TicketPromoCode.objects.filter(pk=promo.pk).update(**change)
    promo.refresh_from_db()
    with pytest.raises(PromoCodeInvalid) as excinfo:
        price_cart(show=show, lines=[CartLine(TicketFactory(show=show), 1)], promo=promo, policy=STANDARD)
    assert excinfo.value.message == reason
    assert excinfo.value.extra == {"code": promo.code}


@pytest.mark.django_db
def test_promo_of_another_show_is_refused():
    show, other = ShowFactory(), ShowFactory()
    with pytest.raises(PromoCodeInvalid):
        price_cart(show=show, lines=[], promo=PromoCodeFactory(show=other), policy=STANDARD)


@pytest.mark.django_db
def test_fee_policy_comes_from_settings_with_the_producers_override(settings):
    show = ShowFactory()
    settings.FEES = {
        "PLATFORM_PERCENT": "4", "PLATFORM_FIXED_PER_TICKET": "1.00", "PROCESSING_PERCENT": "2.9",
        "PROCESSING_FIXED_PER_ORDER": "0.30", "PASSED_TO_BUYER": False,
    }  # fmt: skip
    assert fee_policy_for(show=show) == FeePolicy(D("4"), D("1.00"), D("2.9"), D("0.30"), passed_to_buyer=False)
    ProducerFinancial.objects.create(producer=show.producer, platform_fee_percent=D("1.50"))
    show = Show.objects.select_related("producer__financial").get(pk=show.pk)
    assert fee_policy_for(show=show).platform_percent == D("1.50")
    assert fee_policy_for(show=show).platform_fixed_per_ticket == D("1.00")


money = st.decimals(min_value=D("0"), max_value=D("500"), places=2)
percent = st.decimals(min_value=D("0"), max_value=D("15"), places=2)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prices=st.lists(money, min_size=1, max_size=4),
    quantities=st.lists(st.integers(1, 10), min_size=4, max_size=4),
    platform=percent,
    fixed=st.decimals(min_value=D("0"), max_value=D("3"), places=2),
    processing=percent,
    passed=st.booleans(),
    currency=st.sampled_from(["USD", "EUR", "JPY"]),
)
def test_pricing_properties(prices, quantities, platform, fixed, processing, passed, currency):
    lines = [CartLine(ticket(p, pk=i + 1), q) for i, (p, q) in enumerate(zip(prices, quantities, strict=False))]
    policy = FeePolicy(platform, fixed, processing, D("0.30"), passed_to_buyer=passed)
    cart = price_cart(show=unsaved_show(currency), lines=lines, promo=None, policy=policy)
    amounts = [cart.subtotal, cart.discount, cart.platform_fee, cart.processing_fee, cart.total, cart.producer_payout]
    assert all(a >= 0 for a in amounts)  # never negative
    exponent = 0 if currency == "JPY" else -2
    assert all(a.as_tuple().exponent >= exponent for a in amounts if a != 0)  # rounded to the minor unit
    assert cart.subtotal == sum(line.subtotal for line in cart.lines)
    fees = cart.platform_fee + cart.processing_fee
    if passed:
        assert cart.total == cart.subtotal - cart.discount + fees
        assert cart.producer_payout == cart.subtotal - cart.discount
    else:
        assert cart.total == cart.subtotal - cart.discount
        assert cart.producer_payout == max(D("0"), cart.total - fees)
    if cart.total == 0:
        assert fees == 0  # nothing charged, no fees
    again = price_cart(show=unsaved_show(currency), lines=lines, promo=None, policy=policy)
    assert again == cart  # stable: the same cart always prices the same
