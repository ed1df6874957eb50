"""The plan's CSV export and import; included by strategy/urls.py under the org's URLs."""

from django.urls import path

from strategy import views_plan_csv

urlpatterns = [
    path("calendar/export.csv", views_plan_csv.plan_export, name="strategy-plan-export"),
    path("calendar/import/", views_plan_csv.plan_import, name="strategy-plan-import"),
]
