"""Pages of the people half of stage 5 under /o/<org_slug>/learning/: listening to staff and exploring trends."""

from django.urls import path

from learning.views_people import explore, policy, staff, surveys, talks

urlpatterns = [
    # Surveys
    path("surveys/", surveys.survey_list, name="learning-survey-list"),
    path("surveys/new/", surveys.survey_create, name="learning-survey-create"),
    path("surveys/from-template/", surveys.survey_from_template, name="learning-survey-template"),
    path("surveys/<int:pk>/", surveys.survey_detail, name="learning-survey-detail"),
    path("surveys/<int:pk>/edit/", surveys.survey_edit, name="learning-survey-edit"),
    path("surveys/<int:pk>/state/", surveys.survey_state, name="learning-survey-state"),
    path("surveys/<int:pk>/delete/", surveys.survey_delete, name="learning-survey-delete"),
    path("surveys/<int:pk>/questions/", surveys.question_create, name="learning-survey-question-create"),
    path("surveys/<int:pk>/results/", surveys.survey_results, name="learning-survey-results"),
    path("surveys/<int:pk>/responses.csv", surveys.survey_export, name="learning-survey-export"),
    path("survey-questions/<int:pk>/edit/", surveys.question_edit, name="learning-survey-question-edit"),
    path("survey-questions/<int:pk>/delete/", surveys.question_delete, name="learning-survey-question-delete"),
    path("survey-questions/<int:pk>/move/", surveys.question_move, name="learning-survey-question-move"),
    # Staff profiles and lists
    path("staff/", staff.staff_list, name="learning-staff-list"),
    path("staff/new/", staff.staff_create, name="learning-staff-create"),
    path("staff/import/", staff.staff_import, name="learning-staff-import"),
    path("staff/<int:pk>/", staff.staff_detail, name="learning-staff-detail"),
    path("staff/<int:pk>/edit/", staff.staff_edit, name="learning-staff-edit"),
    path("staff/<int:pk>/delete/", staff.staff_delete, name="learning-staff-delete"),
    path("staff-lists/new/", staff.staff_list_create, name="learning-staff-list-create"),
    path("staff-lists/<int:pk>/", staff.staff_list_detail, name="learning-staff-list-detail"),
    path("staff-lists/<int:pk>/edit/", staff.staff_list_edit, name="learning-staff-list-edit"),
    path("staff-lists/<int:pk>/export.csv", staff.staff_list_export, name="learning-staff-list-export"),
    path("staff-lists/<int:pk>/delete/", staff.staff_list_delete, name="learning-staff-list-delete"),
    # Talks
    path("talks/", talks.talk_list, name="learning-talk-list"),
    path("talks/new/", talks.talk_create, name="learning-talk-create"),
    path("talks/<int:pk>/", talks.talk_detail, name="learning-talk-detail"),
    path("talks/<int:pk>/edit/", talks.talk_edit, name="learning-talk-edit"),
    path("talks/<int:pk>/lesson/", talks.talk_record_lesson, name="learning-talk-lesson"),
    path("talks/<int:pk>/delete/", talks.talk_delete, name="learning-talk-delete"),
    # Governance
    path("policy/", policy.policy_list, name="learning-policy-list"),
    path("policy/new/", policy.policy_create, name="learning-policy-create"),
    path("policy/<int:pk>/", policy.policy_detail, name="learning-policy-detail"),
    path("policy/<int:pk>/edit/", policy.policy_edit, name="learning-policy-edit"),
    path("policy/<int:pk>/make-current/", policy.policy_make_current, name="learning-policy-make-current"),
    path("policy/<int:pk>/acknowledge/", policy.policy_acknowledge, name="learning-policy-acknowledge"),
    path(
        "policy/<int:pk>/acknowledge-staff/", policy.policy_acknowledge_staff, name="learning-policy-acknowledge-staff"
    ),
    # Exploring trends: discussion group, think-tank sessions, ideas board, experiment log
    path("groups/", explore.group_list, name="learning-group-list"),
    path("groups/new/", explore.group_create, name="learning-group-create"),
    path("groups/<int:pk>/", explore.group_detail, name="learning-group-detail"),
    path("groups/<int:pk>/edit/", explore.group_edit, name="learning-group-edit"),
    path("groups/<int:pk>/delete/", explore.group_delete, name="learning-group-delete"),
    path("groups/<int:pk>/meetings/", explore.group_meeting_add, name="learning-group-meeting-add"),
    path("group-meetings/<int:pk>/delete/", explore.group_meeting_delete, name="learning-group-meeting-delete"),
    path("sessions/new/", explore.session_create, name="learning-session-create"),
    path("sessions/<int:pk>/", explore.session_detail, name="learning-session-detail"),
    path("sessions/<int:pk>/edit/", explore.session_edit, name="learning-session-edit"),
    path("ideas/", explore.idea_list, name="learning-idea-list"),
    path("ideas/new/", explore.idea_create, name="learning-idea-create"),
    path("ideas/<int:pk>/", explore.idea_detail, name="learning-idea-detail"),
    path("ideas/<int:pk>/edit/", explore.idea_edit, name="learning-idea-edit"),
    path("ideas/<int:pk>/vote/", explore.idea_vote, name="learning-idea-vote"),
    path("ideas/<int:pk>/status/", explore.idea_status, name="learning-idea-status"),
    path("ideas/<int:pk>/to-conversation/", explore.idea_to_conversation, name="learning-idea-to-conversation"),
    path("ideas/<int:pk>/delete/", explore.idea_delete, name="learning-idea-delete"),
    path("experiments/", explore.experiment_list, name="learning-experiment-list"),
    path("experiments/new/", explore.experiment_create, name="learning-experiment-create"),
    path("experiments/<int:pk>/", explore.experiment_detail, name="learning-experiment-detail"),
    path("experiments/<int:pk>/edit/", explore.experiment_edit, name="learning-experiment-edit"),
    path("experiments/<int:pk>/lesson/", explore.experiment_record_lesson, name="learning-experiment-lesson"),
    path("experiments/<int:pk>/delete/", explore.experiment_delete, name="learning-experiment-delete"),
]
