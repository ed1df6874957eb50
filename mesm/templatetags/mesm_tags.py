from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats

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


@register.filter
def percent(value):
    """0.4567 → "46 %" in the active language."""
    if value is None:
        return ""
    return f"{formats.number_format(round(float(value) * 100), use_l10n=True)} %"


@register.filter
def bar_width(value):
    """A share as a CSS width between 0 and 100 (always with a dot, whatever the language)."""
    if value is None:
        return "0"
    return f"{max(0.0, min(float(value), 1.0)) * 100:.1f}"
