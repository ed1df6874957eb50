from django.urls import path

from metrics import views as metrics_views
from strategy import urls_plan_csv, urls_publishing, urls_trends, views, views_calendar, views_referents

urlpatterns = [
    path("", views.overview, name="strategy-overview"),
    path("plan/", views.plan, name="strategy-plan"),
    path("plan.pdf", views.plan_pdf, name="strategy-plan-pdf"),
    path("purpose/", views.purpose_edit, name="strategy-purpose-edit"),
    path("objectives/", views.objective_list, name="strategy-objective-list"),
    path("objectives/new/", views.objective_create, name="strategy-objective-create"),
    path("objectives/<int:pk>/", views.objective_edit, name="strategy-objective-edit"),
    path("audiences/", views.audience_list, name="strategy-audience-list"),
    path("audiences/new/", views.audience_create, name="strategy-audience-create"),
    path("audiences/<int:pk>/", views.audience_edit, name="strategy-audience-edit"),
    path("profiles/", views.profile_list, name="strategy-profile-list"),
    path("profiles/new/", views.profile_create, name="strategy-profile-create"),
    path("profiles/<int:pk>/", views.profile_edit, name="strategy-profile-edit"),
    path("campaigns/", views.campaign_list, name="strategy-campaign-list"),
    path("campaigns/new/", views.campaign_create, name="strategy-campaign-create"),
    path("campaigns/<int:pk>/", views.campaign_edit, name="strategy-campaign-edit"),
    path("campaigns/<int:pk>/dashboard/", metrics_views.campaign_dashboard, name="metrics-campaign-dashboard"),
    path("<str:kind>/<int:pk>/archive/", views.archive, name="strategy-archive"),
]

urlpatterns += [
    path("referents/", views_referents.referent_list, name="strategy-referent-list"),
    path("referents/new/", views_referents.referent_create, name="strategy-referent-create"),
    path("referents/suggestions/", views_referents.referent_suggestions, name="strategy-referent-suggestions"),
    path(
        "referents/suggestions/add/", views_referents.referent_suggestion_add, name="strategy-referent-suggestion-add"
    ),
    path("referents/<int:pk>/", views_referents.referent_detail, name="strategy-referent-detail"),
    path("referents/<int:pk>/edit/", views_referents.referent_edit, name="strategy-referent-edit"),
    path(
        "referents/<int:pk>/interactions/",
        views_referents.interaction_add,
        name="strategy-referent-interaction-add",
    ),
]

urlpatterns += [
    path("calendar/", views_calendar.calendar_month, name="strategy-calendar"),
    path("calendar/week/", views_calendar.calendar_week, name="strategy-calendar-week"),
    path("calendar/list/", views_calendar.post_list, name="strategy-post-list"),
    path("calendar/balance/", views_calendar.balance_view, name="strategy-balance"),
    path("calendar/settings/", views_calendar.calendar_settings, name="strategy-calendar-settings"),
    path("calendar/posts/new/", views_calendar.post_create, name="strategy-post-create"),
    path("calendar/posts/<int:pk>/", views_calendar.post_detail, name="strategy-post-detail"),
    path("calendar/posts/<int:pk>/edit/", views_calendar.post_edit, name="strategy-post-edit"),
    path("calendar/posts/<int:pk>/comment/", views_calendar.post_comment, name="strategy-post-comment"),
    path("calendar/posts/<int:pk>/reschedule/", views_calendar.post_reschedule, name="strategy-post-reschedule"),
    path("calendar/posts/<int:pk>/media/<int:media_pk>/", views_calendar.post_media, name="strategy-post-media"),
    path("calendar/posts/<int:pk>/<slug:action>/", views_calendar.post_action, name="strategy-post-action"),
    path("ideas/", views_calendar.idea_list, name="strategy-idea-list"),
    path("ideas/new/", views_calendar.idea_create, name="strategy-idea-create"),
    path("ideas/<int:pk>/", views_calendar.idea_detail, name="strategy-idea-detail"),
    path("ideas/<int:pk>/edit/", views_calendar.idea_edit, name="strategy-idea-edit"),
]

urlpatterns += [
    *urls_plan_csv.urlpatterns,
    *urls_publishing.urlpatterns,
    *urls_trends.urlpatterns,
]
