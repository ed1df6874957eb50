from django.urls import path

from strategy import views_trends

urlpatterns = [
    path("trends/", views_trends.trend_list, name="strategy-trends"),
]
