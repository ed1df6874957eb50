"""The trends page: rising hashtags and words in the organisation's mentions, read from rollups."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mesm.tenancy import org_view
from metrics.charts import sparkline
from strategy import trends as service

PAGE_LIMIT = 20


def _days_choices(values):
    return [(str(days), _("%(days)s days") % {"days": days}) for days in values]


class TrendsForm(forms.Form):
    """The GET form above the table: which window, against which baseline, which kind."""

    window = forms.TypedChoiceField(
        label=gettext_lazy("Window"),
        coerce=int,
        initial=7,
    )
    baseline = forms.TypedChoiceField(
        label=gettext_lazy("Compared with"),
        coerce=int,
        initial=28,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Show"),
        choices=[
            ("all", gettext_lazy("Hashtags and words")),
            ("hashtag", gettext_lazy("Hashtags only")),
            ("term", gettext_lazy("Words only")),
        ],
        initial="all",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request, so the labels speak the request's language.
        self.fields["window"].choices = _days_choices(service.WINDOW_CHOICES)
        self.fields["baseline"].choices = _days_choices(service.BASELINE_CHOICES)

    def params(self) -> dict:
        """The validated choices, or the defaults for whatever is missing or wrong."""
        data = {}
        if self.is_bound:
            self.is_valid()  # fills cleaned_data with the valid fields; errors show next to the others
            data = self.cleaned_data
        return {name: data.get(name) or self.fields[name].initial for name in self.fields}


@org_view()
def trend_list(request):
    form = TrendsForm(request.GET or None)
    params = form.params()
    found = service.trends(
        request.org,
        window_days=params["window"],
        baseline_days=params["baseline"],
        kind=params["kind"],
        limit=PAGE_LIMIT,
    )
    for trend in found:
        trend.sparkline = sparkline(
            values=[count for _day, count in trend.daily],
            label=_("Mentions per day with %(trend)s") % {"trend": trend.label},
        )
    period = service.trend_period(request.org, window_days=params["window"], baseline_days=params["baseline"])
    return render(
        request,
        "strategy/trends/list.html",
        {
            "form": form,
            "params": params,
            "trends": found,
            "period": period,
            "min_count": service.MIN_WINDOW_COUNT,
            "min_growth": service.MIN_GROWTH,
            "can_edit": request.membership.can_edit,
        },
    )
