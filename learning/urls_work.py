"""Pages of the work half of stage 5 under /o/<org_slug>/learning/: home, internal use, relevant
cases, educating executives, lessons learned."""

from django.urls import path

from learning.views_work import cases, executives, home, internal, lessons

urlpatterns = [
    path("", home.home, name="learning-home"),
    # 1. Social media inside the organisation
    path("activities/", internal.activity_list, name="learning-activity-list"),
    path("activities/new/", internal.activity_create, name="learning-activity-create"),
    path("activities/<int:pk>/", internal.activity_detail, name="learning-activity-detail"),
    path("activities/<int:pk>/edit/", internal.activity_edit, name="learning-activity-edit"),
    path("activities/<int:pk>/review/", internal.activity_review, name="learning-activity-review"),
    path("activities/<int:pk>/comment/", internal.activity_comment, name="learning-activity-comment"),
    path("activities/<int:pk>/pilots/new/", internal.pilot_create, name="learning-pilot-create"),
    path("pilots/<int:pk>/edit/", internal.pilot_edit, name="learning-pilot-edit"),
    # 2. Relevant cases: trusted sources, the reader, case studies
    path("sources/", cases.feed_list, name="learning-feed-list"),
    path("sources/new/", cases.feed_create, name="learning-feed-create"),
    path("sources/<int:pk>/edit/", cases.feed_edit, name="learning-feed-edit"),
    path("sources/<int:pk>/read-now/", cases.feed_poll, name="learning-feed-poll"),
    path("sources/<int:pk>/delete/", cases.feed_delete, name="learning-feed-delete"),
    path("reader/", cases.reader, name="learning-reader"),
    path("reader/mark-all-read/", cases.reader_mark_all, name="learning-reader-mark-all"),
    path("reader/<int:pk>/read/", cases.item_read, name="learning-item-read"),
    path("cases/", cases.case_list, name="learning-case-list"),
    path("cases/new/", cases.case_create, name="learning-case-create"),
    path("cases/<int:pk>/", cases.case_detail, name="learning-case-detail"),
    path("cases/<int:pk>/edit/", cases.case_edit, name="learning-case-edit"),
    path("cases/<int:pk>/lesson/", cases.case_lesson, name="learning-case-lesson"),
    path("cases/<int:pk>/delete/", cases.case_delete, name="learning-case-delete"),
    # 3. Educating executives
    path("executives/", executives.executive_list, name="learning-executive-list"),
    path("executives/new/", executives.executive_create, name="learning-executive-create"),
    path("executives/<int:pk>/", executives.executive_detail, name="learning-executive-detail"),
    path("executives/<int:pk>/edit/", executives.executive_edit, name="learning-executive-edit"),
    path("executives/<int:pk>/delete/", executives.executive_delete, name="learning-executive-delete"),
    path("executives/<int:pk>/calendar.ics", executives.executive_calendar, name="learning-executive-calendar"),
    path("executives/<int:pk>/sources/", executives.source_add, name="learning-executive-source-add"),
    path("executives/<int:pk>/platforms/", executives.platform_add, name="learning-executive-platform-add"),
    path("executives/<int:pk>/kpis/", executives.kpi_add, name="learning-executive-kpi-add"),
    path("executives/<int:pk>/metrics/", executives.metric_add, name="learning-executive-metric-add"),
    path("executives/<int:pk>/profiles/", executives.profile_add, name="learning-executive-profile-add"),
    path("executives/<int:pk>/trainings/new/", executives.session_create, name="learning-training-create"),
    path("executives/<int:pk>/recurring/new/", executives.recurring_create, name="learning-recurring-create"),
    path("executive-sources/<int:pk>/delete/", executives.source_delete, name="learning-executive-source-delete"),
    path("executive-platforms/<int:pk>/delete/", executives.platform_delete, name="learning-executive-platform-delete"),
    path("executive-kpis/<int:pk>/delete/", executives.kpi_delete, name="learning-executive-kpi-delete"),
    path("executive-metrics/<int:pk>/delete/", executives.metric_delete, name="learning-executive-metric-delete"),
    path("executive-profiles/<int:pk>/delete/", executives.profile_delete, name="learning-executive-profile-delete"),
    path("trainings/<int:pk>/edit/", executives.session_edit, name="learning-training-edit"),
    path("trainings/<int:pk>/lesson/", executives.session_lesson, name="learning-training-lesson"),
    path("trainings/<int:pk>/delete/", executives.session_delete, name="learning-training-delete"),
    path("recurring/<int:pk>/edit/", executives.recurring_edit, name="learning-recurring-edit"),
    path("recurring/<int:pk>/note/", executives.recurring_note, name="learning-recurring-note"),
    path("recurring/<int:pk>/toggle/", executives.recurring_toggle, name="learning-recurring-toggle"),
    # 4. Lessons learned
    path("lessons/", lessons.lesson_list, name="learning-lesson-list"),
    path("lessons/new/", lessons.lesson_create, name="learning-lesson-create"),
    path("lessons/quick/", lessons.lesson_quick, name="learning-lesson-quick"),
    path("lessons/digest/", lessons.lesson_digest_toggle, name="learning-lesson-digest"),
    path("lessons/<int:pk>/", lessons.lesson_detail, name="learning-lesson-detail"),
    path("lessons/<int:pk>/edit/", lessons.lesson_edit, name="learning-lesson-edit"),
    path("lessons/<int:pk>/delete/", lessons.lesson_delete, name="learning-lesson-delete"),
]
