"""The listening query language: which posts a saved search is about.

Syntax
------
``biblioteca``               a word
``"club de lectura"``        an exact phrase (“…” and «…» work too)
``#BibliotecaPública``       a hashtag
``@bibliotecademo``          an account (author or mention); also ``@user@mastodon.social``
``bibliotec*``               a word by its beginning (also ``#lectur*`` and inside phrases)
``AND``, ``OR``, ``NOT``     operators, upper case only: ``and``/``or``/``not`` are plain words
``-word``                    shorthand for ``NOT word`` (no space after the hyphen)
``( … )``                    grouping

Adjacent terms mean AND. ``NOT`` binds tightest, then AND (written or implied), then OR:
``a OR b c`` is ``a OR (b AND c)``; ``NOT a b`` is ``(NOT a) AND b``.

Matching
--------
* Case and accents do not matter. Both the query and the post are normalised with Unicode's
  compatibility caseless matching (NFKD and casefolding) and lose every combining mark, so
  ``biblioteca`` matches "Bibliotéca" and "BIBLIOTECA", ``niño`` matches "nino" and vice versa.
* The text is cut into word tokens: runs of letters and digits in any script. Apostrophes,
  hyphens, underscores and all other punctuation separate tokens, so "l'Ajuntament" holds
  ``ajuntament`` and "e-book" holds ``e`` and ``book``. A query word that the same rule splits
  ("e-book") is searched as the phrase "e book". Scripts written without spaces (Chinese,
  Japanese, Thai) come out as one long token per run, so word matching is weak there.
* A word matches a whole token, never part of one: ``biblioteca`` does not match
  "bibliotecario". With a trailing ``*`` it matches any token that starts with it.
* A phrase matches consecutive tokens; punctuation between them does not matter, a mention
  does ("gracias @ana por" does not contain "gracias por").
* The text of a hashtag also counts as words ("visita la #biblioteca" matches ``biblioteca``);
  ``#tag`` only matches hashtags: those in the text (``#`` glued to a word, as in "C#", does not
  count) and those the platform lists separately (``hashtags=``).
* ``@name`` matches the post's author or an @mention in its text, compared normalised without
  the leading "@". ``@ana`` matches "ana", "ana@any.server" and the Bluesky-style
  "ana.bsky.social"; ``@ana@mastodon.social`` matches only that handle. An e-mail address in
  the text is not a mention.

Use
---
``compile_query(expression)`` parses once (and caches); ``prepare(text, author_handle=...,
hashtags=...)`` normalises a post once; ``query.matches_prepared(prepared)`` is then cheap
enough to run every saved query against every post. ``query.matches(text, ...)`` does both
steps for a one-off check. Errors are ``QueryError`` with a translated ``message`` that says
where the problem is and a 0-based ``position``; ``validate_expression`` turns them into a
Django ``ValidationError`` for forms and serializers. Parentheses and NOTs may nest at most
32 levels deep (``syntax.MAX_DEPTH``), which keeps parsing and matching clear of Python's
recursion limit whatever is pasted into the field.
"""

from .matcher import CompiledQuery, compile_query
from .syntax import (
    Account,
    And,
    Hashtag,
    Node,
    Not,
    Or,
    Phrase,
    QueryError,
    Word,
    parse,
    positive_terms,
    unparse,
    validate_expression,
)
from .text import PreparedText, normalise, prepare

__all__ = [
    "Account",
    "And",
    "CompiledQuery",
    "Hashtag",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "PreparedText",
    "QueryError",
    "Word",
    "compile_query",
    "normalise",
    "parse",
    "positive_terms",
    "prepare",
    "unparse",
    "validate_expression",
]
