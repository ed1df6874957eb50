"""Public (no organisation in the address) learning pages: anonymous survey answering by link."""

from django.urls import path

from learning.views_people import public

urlpatterns = [
    path("<str:token>/", public.survey_answer, name="learning-survey-public"),
    path("<str:token>/thanks/", public.survey_thanks, name="learning-survey-thanks"),
]
