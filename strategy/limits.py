"""How long a post is, counted the way each platform counts it.

- Mastodon counts characters (Unicode code points); every link counts as 23 characters whatever
  its length, and a mention ``@user@server`` counts only its ``@user`` part. The limit is the
  instance's (500 by default; set per profile).
- Bluesky counts graphemes (what a reader sees as one character: an emoji with skin tone or a flag
  is one) and allows 300.
- Other platforms are not checked here.
"""

from __future__ import annotations

import regex
from django.utils.translation import gettext as _

from strategy.models import PlannedPost, Platform

MASTODON_URL_LENGTH = 23
URL_RE = regex.compile(r"https?://[^\s<>\"]+", regex.IGNORECASE)
MASTODON_MENTION_RE = regex.compile(r"(?<![\w/])@(\w+)@[\w.-]+\w", regex.UNICODE)
GRAPHEME_RE = regex.compile(r"\X")


def mastodon_length(text: str) -> int:
    text = URL_RE.sub("x" * MASTODON_URL_LENGTH, text)
    text = MASTODON_MENTION_RE.sub(lambda match: "@" + match.group(1), text)
    return len(text)


def grapheme_length(text: str) -> int:
    return len(GRAPHEME_RE.findall(text))


def text_length(text: str, platform: str) -> int:
    if platform == Platform.MASTODON:
        return mastodon_length(text)
    if platform == Platform.BLUESKY:
        return grapheme_length(text)
    return len(text)


def post_length(post: PlannedPost) -> tuple[int, int | None]:
    """(length as the platform counts it, the profile's limit or None)."""
    profile = post.profile
    return text_length(post.compose_text(), profile.platform), profile.effective_char_limit


def length_error(post: PlannedPost) -> str | None:
    """A plain-words error when the post is over its platform's limit, else None."""
    if not post.profile_id:
        return None
    length, limit = post_length(post)
    if limit is None or length <= limit:
        return None
    return _(
        "The post has %(length)s characters as %(platform)s counts them (text, link and hashtags); "
        "the limit is %(limit)s. Shorten it by %(over)s."
    ) % {"length": length, "platform": post.profile.get_platform_display(), "limit": limit, "over": length - limit}
