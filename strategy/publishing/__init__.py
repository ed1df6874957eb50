"""Publishing planned posts to Mastodon and Bluesky, their performance, and publishing by hand.

The workflow (idea → draft → in review → approved → scheduled) lives in ``strategy.services``;
everything from ``scheduled`` on is here. Tasks and views call these services only.
"""

from .services import (
    CLAIM_TTL,
    MAX_ATTEMPTS,
    Outcome,
    credentials_saved_at,
    post_mark_published,
    post_publish,
    post_publish_retry,
    posts_due_for_publishing,
    posts_refresh_metrics,
    profile_connection_test,
    profile_credentials_remove,
    profile_publishing_update,
)

__all__ = [
    "CLAIM_TTL",
    "MAX_ATTEMPTS",
    "Outcome",
    "credentials_saved_at",
    "post_mark_published",
    "post_publish",
    "post_publish_retry",
    "posts_due_for_publishing",
    "posts_refresh_metrics",
    "profile_connection_test",
    "profile_credentials_remove",
    "profile_publishing_update",
]
