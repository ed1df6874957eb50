from django import template

register = template.Library()


@register.filter
def widget_type(bound_field) -> str:
    return bound_field.field.widget.__class__.__name__


@register.filter
def attr(obj, name: str):
    """Read an attribute (or call a no-argument method) by name, for generic tables."""
    value = getattr(obj, name, "")
    return value() if callable(value) else value
