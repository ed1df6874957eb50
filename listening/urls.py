from django.urls import path

from listening.views import inbox, setup

urlpatterns = [
    # The inbox (listening/views/inbox.py)
    path("listening/", inbox.inbox, name="listening-inbox"),
    path("listening/export.csv", inbox.inbox_export, name="listening-inbox-export"),
    path("listening/bulk/", inbox.bulk, name="listening-mention-bulk"),
    path("listening/mentions/<int:pk>/", inbox.mention_detail, name="listening-mention-detail"),
    path("listening/mentions/<int:pk>/update/", inbox.mention_update, name="listening-mention-update"),
    path("listening/mentions/<int:pk>/answer/", inbox.mention_answer, name="listening-mention-answer"),
    path("listening/mentions/<int:pk>/note/", inbox.mention_note, name="listening-mention-note"),
    # Setting up what to listen to (listening/views/setup.py)
    path("listening/sources/", setup.source_list, name="listening-source-list"),
    path("listening/sources/new/", setup.source_create, name="listening-source-create"),
    path("listening/sources/<int:pk>/", setup.source_edit, name="listening-source-edit"),
    path("listening/sources/<int:pk>/poll/", setup.source_poll_now, name="listening-source-poll"),
    path("listening/sources/<int:pk>/delete/", setup.source_delete, name="listening-source-delete"),
    path("listening/queries/", setup.query_list, name="listening-query-list"),
    path("listening/queries/new/", setup.query_create, name="listening-query-create"),
    path("listening/queries/preview/", setup.query_preview, name="listening-query-preview"),
    path("listening/queries/<int:pk>/", setup.query_edit, name="listening-query-edit"),
    path("listening/queries/<int:pk>/delete/", setup.query_delete, name="listening-query-delete"),
    path("listening/alert-rules/", setup.alert_rule_list, name="listening-alert-rule-list"),
    path("listening/alert-rules/new/", setup.alert_rule_create, name="listening-alert-rule-create"),
    path("listening/alert-rules/<int:pk>/", setup.alert_rule_edit, name="listening-alert-rule-edit"),
    path("listening/alert-rules/<int:pk>/delete/", setup.alert_rule_delete, name="listening-alert-rule-delete"),
    path("listening/alerts/", setup.alert_list, name="listening-alert-list"),
    path("notifications/", setup.notification_list, name="listening-notification-list"),
    path("notifications/read/", setup.notifications_mark_read, name="listening-notifications-read"),
]
