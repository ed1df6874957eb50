"""Bluesky rich text: the facets that make links, mentions and hashtags of a post clickable.

A Bluesky post's text is plain; links, mentions and tags are ``app.bsky.richtext.facet`` entries
that point at a slice of the text by **UTF-8 byte** offsets (``byteStart`` inclusive, ``byteEnd``
exclusive), not by characters: in "Día 📚 #lectura" the tag is bytes 10–18, not characters 6–14.
Features: ``#link`` (``uri``), ``#mention`` (``did``, so a mention needs the handle resolved first)
and ``#tag`` (``tag``, without the ``#``, at most 64 graphemes).
"""

from __future__ import annotations

from collections.abc import Callable

import regex

LINK_RE = regex.compile(r"https?://[^\s<>\"'«»“”]+", regex.IGNORECASE)
# A Bluesky handle is a domain name: labels of letters, digits and hyphens, the last starting with a letter.
MENTION_RE = regex.compile(
    r"(?<![\w@/.])@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?)",
    regex.IGNORECASE,
)
# A tag starts after a space or the start of the text and runs to the next space.
TAG_RE = regex.compile(r"(?<!\S)[#＃]([^\s#＃]+)")
TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")
TRAILING_LINK_PUNCTUATION = ".,;:!?¡¿…"
MAX_TAG_GRAPHEMES = 64

FACET_TYPE = "app.bsky.richtext.facet"


def _byte_index(text: str, start: int, end: int) -> dict[str, int]:
    byte_start = len(text[:start].encode("utf-8"))
    return {"byteStart": byte_start, "byteEnd": byte_start + len(text[start:end].encode("utf-8"))}


def _facet(text: str, start: int, end: int, feature: dict) -> dict:
    return {"index": _byte_index(text, start, end), "features": [feature]}


def _link_end(url: str) -> int:
    """Where a matched link really ends: not on the sentence's final punctuation or closing bracket."""
    end = len(url)
    while end:
        last = url[end - 1]
        unbalanced = last == ")" and url[:end].count("(") < url[:end].count(")")
        if last in TRAILING_LINK_PUNCTUATION or unbalanced:
            end -= 1
        else:
            break
    return end


def detect_links(text: str) -> list[tuple[int, int, str]]:
    links = []
    for match in LINK_RE.finditer(text):
        end = match.start() + _link_end(match.group())
        if end > match.start() + len("https://"):
            links.append((match.start(), end, text[match.start() : end]))
    return links


def detect_mentions(text: str) -> list[tuple[int, int, str]]:
    return [(match.start(), match.end(), match.group(1).lower()) for match in MENTION_RE.finditer(text)]


def detect_tags(text: str) -> list[tuple[int, int, str]]:
    tags = []
    for match in TAG_RE.finditer(text):
        tag = TRAILING_PUNCTUATION.sub("", match.group(1))
        if not tag or tag.isdigit() or len(regex.findall(r"\X", tag)) > MAX_TAG_GRAPHEMES:
            continue
        tags.append((match.start(), match.start(1) + len(tag), tag))
    return tags


def facets_for(text: str, resolve_handle: Callable[[str], str | None]) -> list[dict]:
    """All the facets of ``text``, sorted; ``resolve_handle`` gives a handle's DID or None to skip it."""
    facets: list[tuple[int, dict]] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        # "https://example.org/@ana.bsky.social" or "…/#tag" is part of the link, not a mention or tag.
        return all(end <= other_start or start >= other_end for other_start, other_end in taken)

    for start, end, url in detect_links(text):
        taken.append((start, end))
        facets.append((start, _facet(text, start, end, {"$type": f"{FACET_TYPE}#link", "uri": url})))
    for start, end, handle in detect_mentions(text):
        if not free(start, end):
            continue
        did = resolve_handle(handle)
        if not did:
            continue  # an unknown handle stays plain text rather than stopping the post
        taken.append((start, end))
        facets.append((start, _facet(text, start, end, {"$type": f"{FACET_TYPE}#mention", "did": did})))
    for start, end, tag in detect_tags(text):
        if not free(start, end):
            continue
        taken.append((start, end))
        facets.append((start, _facet(text, start, end, {"$type": f"{FACET_TYPE}#tag", "tag": tag})))
    return [facet for _start, facet in sorted(facets, key=lambda pair: pair[0])]
