"""The query language's syntax tree, parser and errors.

The parser is a small recursive-descent one over a hand-written lexer. Errors are raised in
plain words that say where the problem is, because the people writing queries are librarians,
not programmers; every message is translated with ``gettext`` when it is raised, so it comes out
in the language active for the request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .text import normalise, word_pieces

__all__ = [
    "Account",
    "And",
    "Hashtag",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "QueryError",
    "Word",
    "parse",
    "positive_terms",
    "unparse",
    "validate_expression",
]


class QueryError(ValueError):
    """An expression that cannot be parsed. ``message`` is translated, plain words, and says
    where; ``position`` is the 0-based character offset it talks about, or None."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.message = message
        self.position = position


# --- Syntax tree -------------------------------------------------------------------------
# Term texts are stored normalised (see ``text.normalise``); ``source`` keeps what the person
# typed, for ``positive_terms``, and takes no part in equality.


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    prefix: bool = False  # written with a trailing "*": matches any token starting with text
    source: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Phrase:
    words: tuple[Word, ...]  # always two or more
    source: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Hashtag:
    tag: str  # without "#"
    prefix: bool = False
    source: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Account:
    handle: str  # without the leading "@"; may be "name@server"
    source: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Node, ...]  # two or more, none of them an And


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Node, ...]  # two or more, none of them an Or


Node = Word | Phrase | Hashtag | Account | Not | And | Or
Term = Word | Phrase | Hashtag | Account

# --- Lexer ------------------------------------------------------------------------------

_KEYWORDS = frozenset({"AND", "OR", "NOT"})
_HASHTAG_BODY = re.compile(r"\w+")
_ACCOUNT_BODY = re.compile(r"[\w.]+(?:@[\w.-]+)?")
_QUOTE = '"'
# Phones and word processors turn " into typographic quotes, and Spanish writes «»; all of
# them open a phrase, which ends at the next closing quote of any of these kinds.
_OPENING_QUOTES = '"“«'
_CLOSING_QUOTE = re.compile('["”»]')


@dataclass(slots=True)
class _Token:
    kind: str  # "term", "(", ")", "AND", "OR" or "NOT"
    text: str  # as written, for messages
    position: int
    node: Term | None = None


def _shown(text: str) -> str:
    """A term as quoted back in a message, cut short so that a pasted paragraph stays readable."""
    return text if len(text) <= 40 else text[:39] + "…"


def _words_of(chunk: str, position: int, *, in_phrase: bool = False) -> list[Word]:
    """The words of one whitespace-free chunk written at ``position``; a trailing "*" makes the
    last one a prefix. Several words come out of "e-book" or "l'Ajuntament". Inside a phrase,
    punctuation on its own ("club de lectura !") is no word and is skipped, as it is in posts."""
    star = chunk.find("*")
    if star != -1 and star != len(chunk) - 1:
        raise QueryError(
            _("The “*” at position %(position)s must come at the end of a word, as in bibliotec*.")
            % {"position": position + star + 1},
            position + star,
        )
    prefix = star != -1
    pieces = word_pieces(normalise(chunk[:-1] if prefix else chunk))
    if not pieces and in_phrase and not prefix:
        return []
    if not pieces:
        raise QueryError(
            _("“%(term)s” at position %(position)s has no letters or digits to search for.")
            % {"term": _shown(chunk), "position": position + 1},
            position,
        )
    words = [Word(piece) for piece in pieces]
    if prefix:
        words[-1] = Word(pieces[-1], prefix=True)
    return words


def _term(words: list[Word], source: str) -> Word | Phrase:
    if len(words) == 1:
        return Word(words[0].text, words[0].prefix, source)
    return Phrase(tuple(words), source)


def _bare_term(text: str, position: int) -> Term:
    if text.startswith("#"):
        body = text[1:]
        prefix = body.endswith("*")
        tag = normalise(body[:-1] if prefix else body)
        if not _HASHTAG_BODY.fullmatch(tag):
            raise QueryError(
                _(
                    "“%(term)s” at position %(position)s is not a valid hashtag: after “#” use only letters, digits and “_”."
                )
                % {"term": _shown(text), "position": position + 1},
                position,
            )
        return Hashtag(tag, prefix, text)
    if text.startswith("@"):
        handle = normalise(text[1:])
        if not _ACCOUNT_BODY.fullmatch(handle) or not handle.rstrip(".-").split("@")[0]:
            raise QueryError(
                _("“%(term)s” at position %(position)s is not a valid account: write it as @name or @name@server.")
                % {"term": _shown(text), "position": position + 1},
                position,
            )
        # Posts' mentions lose trailing dots ("thanks @ana."), so the query's must too.
        return Account(handle.rstrip(".-"), text)
    return _term(_words_of(text, position), text)


def _phrase(content: str, position: int) -> Word | Phrase:
    """A quoted phrase whose content starts at ``position``."""
    words: list[Word] = []
    for chunk in re.finditer(r"\S+", content):
        words += _words_of(chunk.group(), position + chunk.start(), in_phrase=True)
    if not words:
        raise QueryError(
            _("The quoted phrase at position %(position)s has no words in it.") % {"position": position},
            position - 1,
        )
    return _term(words, _QUOTE + " ".join(content.split()) + _QUOTE)


_STOPS = "()" + _OPENING_QUOTES  # what ends a bare term besides white space


def _lex(expression: str) -> list[_Token]:
    tokens: list[_Token] = []
    length = len(expression)
    i = 0
    while i < length:
        char = expression[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Token(char, char, i))
            i += 1
        elif char in _OPENING_QUOTES:
            closing = _CLOSING_QUOTE.search(expression, i + 1)
            if closing is None:
                raise QueryError(_("Unclosed quotation mark at position %(position)s.") % {"position": i + 1}, i)
            end = closing.start()
            tokens.append(_Token("term", expression[i : end + 1], i, _phrase(expression[i + 1 : end], i + 1)))
            i = end + 1
        elif char == "-" and i + 1 < length and not expression[i + 1].isspace() and expression[i + 1] != ")":
            # "-word" is a shorthand for "NOT word"; a hyphen inside a word ("e-book") is not,
            # because the lexer only gets here at the start of a token.
            tokens.append(_Token("NOT", "-", i))
            i += 1
        else:
            end = i
            while end < length and not expression[end].isspace() and expression[end] not in _STOPS:
                end += 1
            text = expression[i:end]
            if text in _KEYWORDS:
                tokens.append(_Token(text, text, i))
            else:
                tokens.append(_Token("term", text, i, _bare_term(text, i)))
            i = end
    return tokens


# --- Parser -----------------------------------------------------------------------------
# Grammar, loosest binding first:
#   or   := and ("OR" and)*
#   and  := not (["AND"] not)*          adjacent operands mean AND
#   not  := ("NOT" | "-") not | atom
#   atom := term | "(" or ")"

_OPERAND_START = frozenset({"term", "(", "NOT"})
# Parsing, compiling and matching all recurse once per level of parentheses or NOT; a cap far
# above any real query keeps a pasted "((((…" from reaching Python's recursion limit.
MAX_DEPTH = 32


class _Parser:
    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def descend(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(
                _(
                    "The expression is nested too deeply at position %(position)s: use at most %(limit)s levels of parentheses and NOT."
                )
                % {"position": token.position + 1, "limit": MAX_DEPTH},
                token.position,
            )

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take_operator(self) -> _Token:
        """Consume an operator, making sure an operand follows it."""
        operator = self.tokens[self.index]
        self.index += 1
        following = self.peek()
        if following is None or following.kind == ")":
            raise QueryError(
                _("“%(operator)s” at position %(position)s has nothing after it.")
                % {"operator": operator.text, "position": operator.position + 1},
                operator.position,
            )
        if following.kind in ("AND", "OR"):
            raise QueryError(
                _(
                    "“%(operator)s” at position %(position)s is directly followed by “%(next)s”; put a word or phrase between them."
                )
                % {"operator": operator.text, "position": operator.position + 1, "next": following.text},
                operator.position,
            )
        return operator

    def parse_or(self) -> Node:
        operands = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take_operator()
            operands.append(self.parse_and())
        return _combine(Or, operands)

    def parse_and(self) -> Node:
        operands = [self.parse_not()]
        while (token := self.peek()) is not None and (token.kind == "AND" or token.kind in _OPERAND_START):
            if token.kind == "AND":
                self.take_operator()
            operands.append(self.parse_not())
        return _combine(And, operands)

    def parse_not(self) -> Node:
        token = self.peek()
        if token is not None and token.kind == "NOT":
            self.take_operator()
            self.descend(token)
            node = Not(self.parse_not())
            self.depth -= 1
            return node
        return self.parse_atom()

    def parse_atom(self) -> Node:
        token = self.peek()
        # Callers have made sure that an operand comes next: check_operand_start() at the
        # start and after "(", take_operator() after an operator, _OPERAND_START for implicit AND.
        if token is None or token.kind in ("AND", "OR", ")"):
            raise AssertionError("unreachable: operand expected")  # pragma: no cover
        self.index += 1
        if token.kind == "term":
            return token.node
        following = self.peek()
        if following is not None and following.kind == ")":
            raise QueryError(
                _("The parentheses at position %(position)s are empty.") % {"position": token.position + 1},
                token.position,
            )
        self.check_operand_start()
        self.descend(token)
        node = self.parse_or()
        self.depth -= 1
        self.index += 1  # the ")" that the balance check guarantees
        return node

    def check_operand_start(self) -> None:
        token = self.peek()
        if token is not None and token.kind in ("AND", "OR"):
            raise QueryError(
                _("“%(operator)s” at position %(position)s has nothing before it.")
                % {"operator": token.text, "position": token.position + 1},
                token.position,
            )


def _combine(kind: type[And] | type[Or], operands: list[Node]) -> Node:
    if len(operands) == 1:
        return operands[0]
    flat: list[Node] = []
    for operand in operands:
        # (a AND b) AND c is a AND b AND c: a flat tree is both canonical and faster to match.
        flat.extend(operand.operands if isinstance(operand, kind) else (operand,))
    return kind(tuple(flat))


def _check_parentheses(tokens: list[_Token]) -> None:
    open_positions: list[int] = []
    for token in tokens:
        if token.kind == "(":
            open_positions.append(token.position)
        elif token.kind == ")":
            if not open_positions:
                raise QueryError(
                    _("Unbalanced parenthesis: the “)” at position %(position)s has no matching “(”.")
                    % {"position": token.position + 1},
                    token.position,
                )
            open_positions.pop()
    if open_positions:
        # The most recently opened one is the one that should have been closed first.
        position = open_positions[-1]
        raise QueryError(
            _("Unbalanced parenthesis: the “(” at position %(position)s is never closed.") % {"position": position + 1},
            position,
        )


def parse(expression: str) -> Node:
    """Parse ``expression`` into a syntax tree, or raise ``QueryError``."""
    tokens = _lex(expression)
    if not tokens:
        raise QueryError(_("The expression is empty."))
    if not any(token.kind == "term" for token in tokens):
        operators = [token for token in tokens if token.kind in _KEYWORDS]
        if operators:
            raise QueryError(
                _("The expression has only operators (AND, OR, NOT) and nothing to search for."),
                operators[0].position,
            )
    _check_parentheses(tokens)
    parser = _Parser(tokens)
    parser.check_operand_start()
    node = parser.parse_or()
    # Every token is consumed: the loops stop only at ")" or the end, and the balance check
    # rules out a stray ")" at the top level.
    assert parser.index == len(tokens)
    return node


def validate_expression(expression: str) -> None:
    """Form and serializer validator: raises ``ValidationError`` with the ``QueryError`` message."""
    try:
        parse(expression)
    except QueryError as error:
        raise ValidationError(error.message, code="invalid_query") from error


# --- Back to text -----------------------------------------------------------------------

_BINDING = {Or: 1, And: 2, Not: 3}


def unparse(node: Node) -> str:
    """A canonical expression for ``node``: ``parse(unparse(node)) == node`` for parsed trees."""
    return _unparse(node, 0)


def _unparse(node: Node, context: int) -> str:
    if isinstance(node, Word):
        return node.text + ("*" if node.prefix else "")
    if isinstance(node, Phrase):
        return _QUOTE + " ".join(_unparse(word, 0) for word in node.words) + _QUOTE
    if isinstance(node, Hashtag):
        return "#" + node.tag + ("*" if node.prefix else "")
    if isinstance(node, Account):
        return "@" + node.handle
    binding = _BINDING[type(node)]
    if isinstance(node, Not):
        text = "NOT " + _unparse(node.operand, binding)
    else:
        joiner = " OR " if isinstance(node, Or) else " AND "
        # binding + 1: a nested node of the same kind keeps its parentheses, so the tree
        # shape survives a round trip even when it was not built by the parser.
        text = joiner.join(_unparse(operand, binding + 1) for operand in node.operands)
    return f"({text})" if binding < context else text


def positive_terms(expression: str) -> list[str]:
    """The words, phrases, hashtags and accounts that a matching post may contain, as written
    (phrases in quotes, wildcards kept), without repeats, in order. Terms under an odd number
    of NOTs are left out: "NOT (a OR NOT b)" gives ["b"]. Raises ``QueryError``."""
    terms: dict[str, None] = {}

    def walk(node: Node, negated: bool) -> None:
        if isinstance(node, Not):
            walk(node.operand, not negated)
        elif isinstance(node, And | Or):
            for operand in node.operands:
                walk(operand, negated)
        elif not negated:
            terms.setdefault(node.source or _unparse(node, 0))

    walk(parse(expression), False)
    return list(terms)
