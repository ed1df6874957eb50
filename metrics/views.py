from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from listening.models import Sentiment, Source
from mesm.tenancy import org_view
from metrics import cache, selectors
from metrics.charts import Series, bar_chart, dual_axis_chart, sparkline, stacked_bar_chart
from metrics.engine import reading
from metrics.progress import STATUS_LABELS, objective_status
from metrics.registry import BY_KEY
from strategy.models import Objective

DIRECTOR_TILES = [
    "mention_volume",
    "net_sentiment",
    "followers",
    "response_rate",
    "first_response_time",
    "share_of_voice",
]


@org_view()
def director(request):
    """Are the objectives met, and how do the social metrics sit beside the institutional KPIs?"""
    today = timezone.localdate()
    period = selectors.period_for(request.GET.get("range"), today)
    months_start, months_end = selectors.mapping_span(today)
    with reading(request.org, min(period.previous.start, months_start), max(period.end, months_end)):
        return _director(request, today, period)


def _director(request, today, period):
    objectives, cache = [], {}
    for objective in (
        Objective.objects.active().filter(org=request.org).select_related("org", "owner").prefetch_related("kpis")
    ):
        status, kpis = objective_status(objective, today=today, cache=cache)
        rows = []
        for kpi, progress in zip(objective.kpis.all(), kpis, strict=True):
            rows.append({"kpi": kpi, "progress": progress, "metric": BY_KEY.get(kpi.metric_key)})
        objectives.append(
            {"objective": objective, "status": status, "status_label": STATUS_LABELS[status], "kpis": rows}
        )
    tiles = selectors.tiles(request.org, period, DIRECTOR_TILES)
    for tile in tiles:
        tile.sparkline = sparkline(values=tile.series, label=tile.label)
    mapping_charts = []
    for view in selectors.mapping_views(request.org, today):
        metric = BY_KEY[view.mapping.metric_key]
        mapping_charts.append(
            {
                "view": view,
                "chart": dual_axis_chart(
                    title=_("%(metric)s and %(kpi)s by month")
                    % {"metric": metric.label, "kpi": view.mapping.institutional_kpi.name},
                    left=Series(str(metric.label), view.social),
                    right=Series(view.mapping.institutional_kpi.name, view.institutional),
                    x_labels=view.months,
                ),
            }
        )
    return render(
        request,
        "metrics/director.html",
        {
            "period": period,
            "range": request.GET.get("range") or "30",
            "objectives": objectives,
            "tiles": tiles,
            "mapping_charts": mapping_charts,
        },
    )


@org_view()
def listening_dashboard(request):
    """What is being said: volume by platform, sentiment over time, hashtags, share of voice, responses."""
    today = timezone.localdate()
    period = selectors.period_for(request.GET.get("range"), today)
    with reading(request.org, period.previous.start, period.end):
        return _listening_dashboard(request, period)


def _listening_dashboard(request, period):
    days, by_platform = selectors.volume_by(request.org, period, "platform")
    platform_names = dict(Source.Platform.choices)
    volume_chart = cache.chart(
        stacked_bar_chart,
        title=_("Mentions by platform"),
        x_labels=days,
        series=[Series(str(platform_names.get(key, key)), values) for key, values in by_platform.items()],
    )
    _days, by_sentiment = selectors.volume_by(request.org, period, "sentiment")
    sentiment_chart = cache.chart(
        stacked_bar_chart,
        title=_("Sentiment of the mentions"),
        x_labels=days,
        series=[
            Series(str(label), by_sentiment.get(key, [0.0] * len(days)), color=color)
            for key, label, color in (
                (Sentiment.POSITIVE, Sentiment.POSITIVE.label, "#1e6b32"),
                (Sentiment.NEUTRAL, Sentiment.NEUTRAL.label, "#6b7785"),
                (Sentiment.NEGATIVE, Sentiment.NEGATIVE.label, "#b42318"),
            )
        ],
    )
    hashtags = selectors.top_hashtags(request.org, period)
    hashtag_chart = cache.chart(
        bar_chart,
        title=_("Most used hashtags"),
        categories=[f"#{tag}" for tag, _ in hashtags],
        values=[n for _, n in hashtags],
    )
    authors = selectors.top_authors(request.org, period)
    author_chart = cache.chart(
        bar_chart,
        title=_("Who mentions the library most"),
        categories=[a for a, _ in authors],
        values=[n for _, n in authors],
    )
    tiles = selectors.tiles(
        request.org,
        period,
        ["mention_volume", "negative_share", "share_of_voice", "response_rate", "first_response_time"],
    )
    for tile in tiles:
        tile.sparkline = sparkline(values=tile.series, label=tile.label)
    inbox_filter = f"since={period.start.isoformat()}&until={period.last_day.isoformat()}"
    return render(
        request,
        "metrics/listening.html",
        {
            "period": period,
            "range": request.GET.get("range") or "30",
            "tiles": tiles,
            "volume_chart": volume_chart,
            "sentiment_chart": sentiment_chart,
            "hashtag_chart": hashtag_chart,
            "author_chart": author_chart,
            "authors": authors,
            "hashtags": hashtags,
            "inbox_filter": inbox_filter,
        },
    )


@org_view()
def campaign_dashboard(request, pk):
    """A campaign: its objectives' status and what was said about the library during it."""
    from datetime import timedelta

    from mesm.tenancy import get_scoped_or_404
    from strategy.models import Campaign

    campaign = get_scoped_or_404(Campaign.objects.prefetch_related("audiences", "profiles"), request.org, pk=pk)
    today = timezone.localdate()
    end = min(campaign.ends_on, today) + timedelta(days=1)
    period = selectors.Period(campaign.starts_on, max(end, campaign.starts_on + timedelta(days=1)))
    cache, objectives = {}, []
    for objective in campaign.objectives.active().select_related("org").prefetch_related("kpis"):
        status, kpis = objective_status(objective, today=today, cache=cache)
        objectives.append(
            {
                "objective": objective,
                "status": status,
                "status_label": STATUS_LABELS[status],
                "kpis": [
                    {"kpi": kpi, "progress": p, "metric": BY_KEY.get(kpi.metric_key)}
                    for kpi, p in zip(objective.kpis.all(), kpis, strict=True)
                ],
            }
        )
    started = campaign.starts_on <= today
    with reading(request.org, period.previous.start, period.end):
        return _campaign(request, campaign, period, objectives, started)


def _campaign(request, campaign, period, objectives, started):
    days, by_sentiment = selectors.volume_by(request.org, period, "sentiment") if started else ([], {})
    chart = (
        stacked_bar_chart(
            title=_("Mentions during the campaign"),
            x_labels=days,
            series=[
                Series(str(Sentiment(key).label), by_sentiment.get(key, [0.0] * len(days)), color=color)
                for key, color in (("positive", "#1e6b32"), ("neutral", "#6b7785"), ("negative", "#b42318"))
            ],
        )
        if started
        else None
    )
    tiles = (
        selectors.tiles(request.org, period, ["mention_volume", "net_sentiment", "response_rate"]) if started else []
    )
    for tile in tiles:
        tile.sparkline = sparkline(values=tile.series, label=tile.label)
    return render(
        request,
        "metrics/campaign.html",
        {
            "campaign": campaign,
            "objectives": objectives,
            "chart": chart,
            "tiles": tiles,
            "period": period,
            "started": started,
            "posts": campaign.posts.select_related("profile").exclude(status="rejected").order_by("scheduled_at"),
        },
    )
