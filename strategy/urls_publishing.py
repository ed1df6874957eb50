"""Publishing URLs, included under /o/<org_slug>/ next to strategy.urls."""

from django.urls import path

from strategy import views_publishing

urlpatterns = [
    path("profiles/<int:pk>/publishing/", views_publishing.profile_publishing, name="strategy-profile-publishing"),
    path("posts/<int:pk>/mark-published/", views_publishing.post_mark_published, name="strategy-post-mark-published"),
    path("posts/<int:pk>/publish-retry/", views_publishing.post_publish_retry, name="strategy-post-publish-retry"),
]
