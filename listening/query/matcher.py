"""Compiling a syntax tree into a fast predicate over ``PreparedText``.

Each node becomes a small closure, built once per query. The common cases reduce to C-level set
operations: a word is one ``in``, and runs of plain words under the same AND/OR collapse into a
single ``issubset``/``isdisjoint``. Wildcards bisect a sorted token tuple, phrases are one
substring search over the space-joined tokens. Operands are ordered cheapest first, so AND and
OR short-circuit before the costlier checks run.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from functools import lru_cache

from .syntax import Account, And, Hashtag, Node, Not, Or, Phrase, Word, parse, unparse
from .text import PreparedText, prepare

__all__ = ["CompiledQuery", "compile_query"]

Predicate = Callable[[PreparedText], bool]


class CompiledQuery:
    """A parsed expression, ready to be matched against many posts."""

    __slots__ = ("_predicate", "expression", "node")

    def __init__(self, expression: str, node: Node):
        self.expression = expression
        self.node = node
        self._predicate, _cost = _compile(node)

    def matches(self, text: str, *, author_handle: str = "", hashtags: Iterable[str] = ()) -> bool:
        """Whether one post matches; to check one post against several queries, ``prepare``
        it once and call ``matches_prepared`` on each."""
        return self._predicate(prepare(text, author_handle=author_handle, hashtags=hashtags))

    def matches_prepared(self, prepared: PreparedText) -> bool:
        return self._predicate(prepared)

    def __repr__(self) -> str:
        return f"CompiledQuery({unparse(self.node)!r})"


@lru_cache(maxsize=1024)
def compile_query(expression: str) -> CompiledQuery:
    """Parse and compile ``expression`` (raises ``QueryError``). Cached: a poll that compiles
    the same saved queries again pays nothing; the result is immutable, so sharing it is safe."""
    return CompiledQuery(expression, parse(expression))


# --- Compilation --------------------------------------------------------------------------
# _compile returns (predicate, cost); cost is a rough relative price used only for ordering.


def _has_prefix(sorted_items: tuple[str, ...], prefix: str) -> bool:
    index = bisect_left(sorted_items, prefix)
    return index < len(sorted_items) and sorted_items[index].startswith(prefix)


def _compile(node: Node) -> tuple[Predicate, int]:
    if isinstance(node, Word):
        text = node.text
        if node.prefix:
            return (lambda p: _has_prefix(p.sorted_words, text)), 3
        return (lambda p: text in p.words), 1
    if isinstance(node, Hashtag):
        tag = node.tag
        if node.prefix:
            return (lambda p: _has_prefix(p.sorted_hashtags, tag)), 3
        return (lambda p: tag in p.hashtags), 1
    if isinstance(node, Account):
        handle = node.handle
        return (lambda p: handle in p.accounts), 1
    if isinstance(node, Phrase):
        return _compile_phrase(node)
    if isinstance(node, Not):
        inner, cost = _compile(node.operand)
        return (lambda p: not inner(p)), cost
    return _compile_group(node)


def _compile_phrase(node: Phrase) -> tuple[Predicate, int]:
    if not any(word.prefix for word in node.words):
        needle = " " + " ".join(word.text for word in node.words) + " "
        return (lambda p: needle in p.sequence), 4
    # A wildcard inside a phrase may stretch its word up to the next space; tokens hold no
    # spaces, so "[^ ]*" stays within one token.
    pattern = " ".join(re.escape(word.text) + ("[^ ]*" if word.prefix else "") for word in node.words)
    search = re.compile(" " + pattern + " ").search
    return (lambda p: search(p.sequence) is not None), 6


def _compile_group(node: And | Or) -> tuple[Predicate, int]:
    is_and = isinstance(node, And)
    # Plain words, hashtags and accounts under the same AND/OR become one set operation each.
    plain: dict[str, set[str]] = {"words": set(), "hashtags": set(), "accounts": set()}
    others: list[tuple[Predicate, int]] = []
    for operand in node.operands:
        if isinstance(operand, Word) and not operand.prefix:
            plain["words"].add(operand.text)
        elif isinstance(operand, Hashtag) and not operand.prefix:
            plain["hashtags"].add(operand.tag)
        elif isinstance(operand, Account):
            plain["accounts"].add(operand.handle)
        else:
            others.append(_compile(operand))
    checks = [_set_check(attribute, frozenset(values), is_and) for attribute, values in plain.items() if values]
    checks += others
    checks.sort(key=lambda check: check[1])
    predicates = tuple(predicate for predicate, _cost in checks)
    cost = sum(cost for _predicate, cost in checks)
    if len(predicates) > 4:
        # A long list (a pasted list of phrases) is looped over; nesting it would recurse once
        # per operand at match time.
        if is_and:
            return (lambda p: all(predicate(p) for predicate in predicates)), cost
        return (lambda p: any(predicate(p) for predicate in predicates)), cost
    # A few operands become nested two-way closures, cheapest outermost: no loop or generator
    # in the hot path.
    combined = predicates[-1]
    for predicate in reversed(predicates[:-1]):
        combined = _both(predicate, combined) if is_and else _either(predicate, combined)
    return combined, cost


def _both(first: Predicate, second: Predicate) -> Predicate:
    return lambda p: first(p) and second(p)


def _either(first: Predicate, second: Predicate) -> Predicate:
    return lambda p: first(p) or second(p)


def _set_check(attribute: str, values: frozenset[str], is_and: bool) -> tuple[Predicate, int]:
    if len(values) == 1:
        (value,) = values
        if attribute == "words":
            return (lambda p: value in p.words), 1
        if attribute == "hashtags":
            return (lambda p: value in p.hashtags), 1
        return (lambda p: value in p.accounts), 1
    if is_and:
        if attribute == "words":
            return (lambda p: values <= p.words), 2
        if attribute == "hashtags":
            return (lambda p: values <= p.hashtags), 2
        return (lambda p: values <= p.accounts), 2
    if attribute == "words":
        return (lambda p: not values.isdisjoint(p.words)), 2
    if attribute == "hashtags":
        return (lambda p: not values.isdisjoint(p.hashtags)), 2
    return (lambda p: not values.isdisjoint(p.accounts)), 2
