from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from mesm import audit_views, guide, two_factor, views

org_patterns = [
    path("settings/", views.organization_settings, name="org-settings"),
    path("members/", views.members, name="org-members"),
    path("members/<int:pk>/", views.member_update, name="org-member-update"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="org-invitation-revoke"),
    path("audit/", audit_views.audit_log, name="org-audit-log"),
    path("", include("listening.urls")),
    path("", include("metrics.urls")),
    path("", include("strategy.urls")),
    path("learning/", include("learning.urls")),
    path("guide/", include(guide.org_urlpatterns)),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("orgs/new/", views.organization_create, name="org-create"),
    path("guide/", include(guide.urlpatterns)),
    path("o/<slug:org_slug>/", include(org_patterns)),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("s/", include("learning.urls_public")),
    path("accounts/login/", two_factor.LoginView.as_view(), name="login"),
    path("accounts/login/code/", two_factor.login_code, name="login-two-factor"),
    path("accounts/two-factor/", two_factor.two_factor_setup, name="two-factor"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("mesm.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
