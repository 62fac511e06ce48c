"""Money helpers. Money is ``Decimal`` quantized to the currency's minor unit; never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 codes the platform sells in, with their number of minor-unit digits.
CURRENCY_EXPONENTS: dict[str, int] = {
    "USD": 2,
    "CAD": 2,
    "EUR": 2,
    "GBP": 2,
    "AUD": 2,
    "NZD": 2,
    "MXN": 2,
    "JPY": 0,
}
CURRENCY_CHOICES = [(code, code) for code in CURRENCY_EXPONENTS]

ROUNDING = ROUND_HALF_UP


def quantize(amount: Decimal | int | str, currency: str) -> Decimal:
    """Round ``amount`` to ``currency``'s minor unit with the platform's one rounding rule."""
    exponent = CURRENCY_EXPONENTS[currency.upper()]
    return Decimal(amount).quantize(Decimal(1).scaleb(-exponent), rounding=ROUNDING)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Integer minor units (cents) for payment providers such as Stripe."""
    exponent = CURRENCY_EXPONENTS[currency.upper()]
    return int(quantize(amount, currency).scaleb(exponent))


def from_minor_units(amount: int, currency: str) -> Decimal:
    exponent = CURRENCY_EXPONENTS[currency.upper()]
    return quantize(Decimal(amount).scaleb(-exponent), currency)


# Currencies written with a symbol in front; every other one as "25.00 EUR".
_SYMBOLS = {"USD": "$"}


def format_money(amount: Decimal | int | str, currency: str) -> str:
    """``$1,250.00`` for US dollars, ``1,250.00 EUR`` otherwise; rounded to the currency's minor unit."""
    currency = currency.upper()
    value = quantize(amount, currency)
    digits = f"{abs(value):,.{CURRENCY_EXPONENTS[currency]}f}"
    sign = "-" if value < 0 else ""
    if currency in _SYMBOLS:
        return f"{sign}{_SYMBOLS[currency]}{digits}"
    return f"{sign}{digits} {currency}"
