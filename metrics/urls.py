from django.urls import path

from metrics import views
from metrics import views_data as data_views

urlpatterns = [
    path("metrics/", views.director, name="metrics-director"),
    path("metrics/listening/", views.listening_dashboard, name="metrics-listening"),
]
urlpatterns += [
    path("metrics/institutional/", data_views.institutional_list, name="metrics-institutional-list"),
    path("metrics/institutional/new/", data_views.institutional_create, name="metrics-institutional-create"),
    path("metrics/institutional/<int:pk>/", data_views.institutional_edit, name="metrics-institutional-edit"),
    path(
        "metrics/institutional/<int:pk>/values/new/",
        data_views.institutional_value_add,
        name="metrics-institutional-value-add",
    ),
    path(
        "metrics/institutional/<int:pk>/import/", data_views.institutional_import, name="metrics-institutional-import"
    ),
    path("metrics/mappings/", data_views.mapping_list, name="metrics-mapping-list"),
    path("metrics/mappings/<int:pk>/delete/", data_views.mapping_delete, name="metrics-mapping-delete"),
    path("metrics/snapshots/", data_views.snapshot_list, name="metrics-snapshot-list"),
    path("metrics/snapshots/import/", data_views.snapshot_import, name="metrics-snapshot-import"),
    path("metrics/import/confirm/", data_views.import_confirm, name="metrics-import-confirm"),
]

from metrics import views_reports  # noqa: E402

urlpatterns += [
    path("metrics/reports/", views_reports.report_list, name="metrics-report-list"),
    path("metrics/reports/<int:pk>/status/", views_reports.report_status, name="metrics-report-status"),
    # One pattern per format, so reverse() takes (pk, fmt) and the URL still ends in the file's extension.
    *(
        path(
            f"metrics/reports/<int:pk>/report.{fmt}",
            views_reports.report_download,
            {"fmt": fmt},
            name="metrics-report-download",
        )
        for fmt in ("pdf", "csv", "xlsx")
    ),
]
