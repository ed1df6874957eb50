from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats
from django.utils.translation import gettext

register = template.Library()


@register.filter
def widget_type(bound_field) -> str:
    return bound_field.field.widget.__class__.__name__


@register.filter
def attr(obj, name: str):
    """Read an attribute (or call a no-argument method) by name, for generic tables."""
    value = getattr(obj, name, "")
    return value() if callable(value) else value


@register.filter
def num(value):
    """A number in the active language, grouped, without trailing zeros: 1.234,5 (es) / 1,234.5 (en)."""
    if value in (None, ""):
        return ""
    try:
        value = Decimal(str(value))
    except InvalidOperation:
        return value
    value = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def _with_percent_sign(number) -> str:
    # "46 %" in Spanish (RAE: a space before the sign), "46%" in English; the charts say it the same way.
    return gettext("%(value)s%%") % {"value": formats.number_format(number, use_l10n=True)}


@register.filter
def percent(value):
    """A share: 0.4567 → "46 %" in Spanish, "46%" in English."""
    if value is None:
        return ""
    return _with_percent_sign(round(float(value) * 100))


@register.filter
def percent_value(value):
    """A number already in percent, rounded: 45.6 → "46 %" in Spanish, "46%" in English."""
    if value is None or value == "":
        return ""
    return _with_percent_sign(round(float(value)))


@register.filter
def bar_width(value):
    """A share as a CSS width between 0 and 100 (always with a dot, whatever the language)."""
    if value is None:
        return "0"
    return f"{max(0.0, min(float(value), 1.0)) * 100:.1f}"
