from django.urls import path
from rest_framework.routers import DefaultRouter

from learning import api_people as learning_api_people
from learning import api_work as learning_api_work
from listening import api as listening_api
from mesm.api import schema as _schema_extensions  # noqa: F401  (registers the extensions)
from mesm.api.audit import AuditEntryViewSet
from mesm.api.views import OrganizationViewSet, TokenObtainView
from metrics import api as metrics_api
from metrics import api_data as metrics_data_api
from metrics import api_reports as metrics_api_reports
from strategy import api as strategy_api
from strategy import api_calendar as strategy_api_calendar
from strategy import api_trends

router = DefaultRouter()
router.register("orgs", OrganizationViewSet, basename="api-org")
ORG = r"orgs/(?P<org_slug>[-a-zA-Z0-9_]+)"
router.register(f"{ORG}/objectives", strategy_api.ObjectiveViewSet, basename="api-objective")
router.register(f"{ORG}/kpis", strategy_api.KPIViewSet, basename="api-kpi")
router.register(f"{ORG}/audiences", strategy_api.AudienceViewSet, basename="api-audience")
router.register(f"{ORG}/profiles", strategy_api.ProfileViewSet, basename="api-profile")
router.register(f"{ORG}/campaigns", strategy_api.CampaignViewSet, basename="api-campaign")
router.register(f"{ORG}/referents", strategy_api.ReferentViewSet, basename="api-referent")
router.register(f"{ORG}/queries", listening_api.QueryViewSet, basename="api-query")
router.register(f"{ORG}/sources", listening_api.SourceViewSet, basename="api-source")
router.register(f"{ORG}/mentions", listening_api.MentionViewSet, basename="api-mention")
router.register(f"{ORG}/alert-rules", listening_api.AlertRuleViewSet, basename="api-alert-rule")
router.register(f"{ORG}/alerts", listening_api.AlertViewSet, basename="api-alert")
router.register(f"{ORG}/reports", metrics_api_reports.ReportViewSet, basename="api-report")
router.register(f"{ORG}/institutional-kpis", metrics_data_api.InstitutionalKPIViewSet, basename="api-institutional-kpi")
router.register(f"{ORG}/mappings", metrics_data_api.MetricMappingViewSet, basename="api-mapping")
for prefix, viewset, basename in [*learning_api_work.ROUTES, *learning_api_people.ROUTES]:
    router.register(f"{ORG}/learning/{prefix}", viewset, basename=basename)
router.register(f"{ORG}/audit", AuditEntryViewSet, basename="api-audit-entry")
router.register(f"{ORG}/snapshots", metrics_data_api.ProfileSnapshotViewSet, basename="api-snapshot")
for prefix, viewset, basename in strategy_api_calendar.ROUTES:
    router.register(f"{ORG}/{prefix}", viewset, basename=basename)

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("orgs/<slug:org_slug>/purpose/", strategy_api.PurposeView.as_view(), name="api-purpose"),
    path("orgs/<slug:org_slug>/metrics/", metrics_api.MetricListView.as_view(), name="api-metric-list"),
    path(
        "orgs/<slug:org_slug>/metrics/<str:key>/series/",
        metrics_api.MetricSeriesView.as_view(),
        name="api-metric-series",
    ),
    path(
        "orgs/<slug:org_slug>/mentions/export.csv", listening_api.MentionExportView.as_view(), name="api-mention-export"
    ),
    path(
        "orgs/<slug:org_slug>/calendar.ics",
        strategy_api_calendar.CalendarFeedView.as_view(),
        name="api-calendar-feed",
    ),
    path(
        "orgs/<slug:org_slug>/influencer-suggestions/",
        strategy_api.InfluencerSuggestionsView.as_view(),
        name="api-influencer-suggestions",
    ),
    path("orgs/<slug:org_slug>/trends/", api_trends.TrendsView.as_view(), name="api-trends"),
    *learning_api_work.urlpatterns,
    *learning_api_people.urlpatterns,
    *router.urls,
]
