from django.urls import path

from metrics import views

urlpatterns = [
    path("metrics/", views.director, name="metrics-director"),
    path("metrics/listening/", views.listening_dashboard, name="metrics-listening"),
]
