"""Normalising and tokenising post text, once per post, for the query matcher.

Everything the matcher compares goes through ``normalise`` first, on both sides (the query's
terms and the post), so the rules live in one place. See the package docstring for the
semantics; this module only decides what a "token", "hashtag" and "account" are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["PreparedText", "account_keys", "normalise", "prepare", "word_pieces"]


class _MarkStripper(dict):
    """A ``str.translate`` table that deletes every combining mark (Unicode category M*).

    It fills itself on first sight of each code point, so the per-character category lookup
    happens once per distinct character for the life of the process instead of once per
    character of every post; ``str.translate`` then runs at C speed.
    """

    def __missing__(self, code_point: int) -> int | None:
        value = None if unicodedata.category(chr(code_point)).startswith("M") else code_point
        self[code_point] = value
        return value


_STRIP_MARKS = _MarkStripper()
# The combining diacritics block (the accents of Latin, Greek and Cyrillic), removed with one
# regular expression before falling back to the general, slower table.
_COMMON_MARKS = re.compile("[\u0300-\u036f]+")


def normalise(text: str) -> str:
    """Case- and accent-insensitive form of ``text``: ``"Bibliotéca NIÑO"`` -> ``"biblioteca nino"``.

    Non-ASCII text follows Unicode's compatibility caseless matching recipe,
    NFKD(casefold(NFKD(casefold(NFD(x))))), so that e.g. "ℌ", "ﬁ" and "ß" fold consistently,
    then loses every combining mark. The shortcuts below skip steps that would change nothing:
    most posts are ASCII, and most of the rest only carry Latin accents.
    """
    if text.isascii():
        return text.lower()
    folded = unicodedata.normalize("NFD", text).casefold()
    if not unicodedata.is_normalized("NFKD", folded):
        folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", folded).casefold())
    folded = _COMMON_MARKS.sub("", folded)
    return folded if folded.isascii() else folded.translate(_STRIP_MARKS)


# Words are runs of letters and digits. Apostrophes, hyphens and underscores split words, so
# "l'Ajuntament", "e-book" and "biblioteca_publica" give two tokens each: a query word finds
# its word inside such compounds, and a hyphenated query word is searched as a phrase.
_WORD = re.compile(r"[^\W_]+")

# Mentions and hashtags, found first so the text between them can be cut into words. An "@"
# or "#" glued to a preceding word character is not a sigil: "info@biblioteca.es" is an e-mail
# address, "C#" is not a hashtag, and "&#39;" is an HTML entity that escaped decoding. (The
# lookbehinds come after the literal so that the regex engine can skip ahead to "@" and "#".)
_SIGILS = re.compile(r"@(?<![\w@]@)([\w.]+(?:@[\w.-]+)?)|#(?<![\w&#]#)(\w+)")

# A mention stands in the word sequence as this token, which no query word can equal, so a
# phrase does not match across it ("gracias @ana por" does not contain "gracias por").
_MENTION_SLOT = "@"


def word_pieces(normalised: str) -> list[str]:
    """The word tokens of an already normalised string."""
    return _WORD.findall(normalised)


def account_keys(handle: str) -> set[str]:
    """Every key under which an (already normalised, "@"-less) handle can be asked for.

    ``ana@mastodon.social`` answers to itself and to ``ana``; a domain-style Bluesky handle
    ``luis.bsky.social`` answers to itself and to ``luis``. So ``@ana`` finds Ana on any
    server, while ``@ana@mastodon.social`` finds only that one.
    """
    handle = handle.rstrip(".-")
    if not handle:
        return set()
    local = handle.split("@", 1)[0]
    keys = {handle, local, local.split(".", 1)[0]}
    keys.discard("")
    return keys


class PreparedText:
    """A post normalised and tokenised once, ready to be checked against many queries."""

    __slots__ = ("accounts", "hashtags", "sequence", "sorted_hashtags", "sorted_words", "words")

    def __init__(self, tokens: list[str], hashtags: set[str], accounts: set[str]):
        words = set(tokens)
        words.discard(_MENTION_SLOT)
        self.words = frozenset(words)
        # Sorted copies let a wildcard ("bibliotec*") find a prefix with one bisection.
        self.sorted_words = tuple(sorted(self.words))
        # Tokens joined with single spaces, padded at both ends, so that a phrase is found with
        # one substring search for " w1 w2 " (tokens never contain spaces).
        self.sequence = " " + " ".join(tokens) + " "
        self.hashtags = frozenset(hashtags)
        self.sorted_hashtags = tuple(sorted(self.hashtags))
        self.accounts = frozenset(accounts)

    def __repr__(self) -> str:
        return (
            f"PreparedText(sequence={self.sequence.strip()!r}, hashtags={sorted(self.hashtags)!r}, "
            f"accounts={sorted(self.accounts)!r})"
        )


def prepare(text: str, *, author_handle: str = "", hashtags: Iterable[str] = ()) -> PreparedText:
    """Normalise and tokenise one post. ``hashtags`` are tags the platform lists separately
    (with or without "#"); they count as hashtags of the post but not as words of its text."""
    # split() with two groups gives [text, mention, hashtag, text, mention, hashtag, ..., text].
    parts = _SIGILS.split(normalise(text or ""))
    tokens = _WORD.findall(parts[0])
    tags: set[str] = set()
    accounts: set[str] = set()
    for index in range(1, len(parts), 3):
        mention, tag, following = parts[index : index + 3]
        if tag is not None:
            tags.add(tag)
            # A hashtag is also prose: "visita la #biblioteca" is about the word biblioteca.
            tokens += _WORD.findall(tag)
        elif keys := account_keys(mention):
            accounts |= keys
            tokens.append(_MENTION_SLOT)
        tokens += _WORD.findall(following)
    for tag in hashtags:
        tag = normalise(tag).strip().lstrip("#")
        if tag:
            tags.add(tag)
    if author_handle:
        accounts |= account_keys(normalise(author_handle).strip().lstrip("@"))
    return PreparedText(tokens, tags, accounts)
