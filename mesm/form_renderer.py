"""The project's form renderer (``FORM_RENDERER``): Django's own, with one change.

Django labels a select's empty choice "---------", which a screen reader reads out as a row of
dashes and which says nothing to anyone. Here it becomes words: "Choose…" when a value is
required, "(none)" when the field may stay empty. A form whose empty choice means something
else (a filter's "anyone", "all profiles") sets its own ``empty_label``, which is left alone.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext as _

DJANGO_EMPTY_LABEL = "---------"  # ModelChoiceField.empty_label and BLANK_CHOICE_DASH


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if isinstance(widget, dict) and "optgroups" in widget:
            for _group, options, _index in widget["optgroups"]:
                for option in options:
                    if option["label"] == DJANGO_EMPTY_LABEL and option["value"] in ("", None):
                        option["label"] = _("Choose…") if widget.get("required") else _("(none)")
        return super().render(template_name, context, request)
