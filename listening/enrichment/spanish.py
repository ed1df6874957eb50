"""Lexicon- and rule-based sentiment scorer for Spanish social-media posts.

Pipeline: clean (links, handles, '#') -> tokenise (words, emoji, emoticons, punctuation) ->
normalise words (case, accents, elongations, abbreviations, laughter) -> walk the tokens
applying phrases, negation scopes and intensifiers -> weight by clause (questions, 'pero',
'aunque') -> add exclamation emphasis -> squash the sum into (-1, 1).

Everything is deterministic and offline; the lexicon is ``lexicon_es.tsv``. ``explain`` returns
the per-token contributions, which is what you want when a label looks wrong.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from listening.enrichment import lexicon_es as lx
from listening.enrichment.emoji_valence import EMOJI_VALENCE, EMOTICON_VALENCE, strip_emoji_modifiers

# Squashing constant: score = S / sqrt(S^2 + ALPHA). With ALPHA = 12 one clear word ("genial",
# 3.0) gives 0.65, one mild word ("cerrada", -0.8) gives -0.23, and the score only approaches
# ±1 when several strong signals agree.
ALPHA = 12.0
NEGATION_FACTOR = -0.75  # "no es bueno" is negative, but less so than "es malo"
QUESTION_WEIGHT = 0.5  # "¿está bien el taller?" asks, it does not praise
CAPS_FACTOR = 1.25  # "GENIAL" in an otherwise lowercase post
ELONGATION_FACTOR = 1.2  # "geniaaal"
SUPERLATIVE_FACTOR = 1.4  # "-ísimo", "súper-"
EXCLAMATION_BOOST = 0.3  # added to |S| per '!', up to MAX_EXCLAMATIONS
MAX_EXCLAMATIONS = 4

_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE_RE = re.compile(r"(?<!\w)@\w+")
_HASHTAG_RE = re.compile(r"(?<!\w)#(\w+)")
_CAMEL_RE = re.compile(r"(?<=[a-záéíóúñü])(?=[A-ZÁÉÍÓÚÑÜ])")
_ELONGATION_RE = re.compile(r"(.)\1{2,}")
_LAUGHTER_RE = re.compile(r"^(?:[jh][aeiou]){2,}[jh]?$|^j[ajesk]*j[ajesk]*$")
_ISIMO_RE = re.compile(r"^(.{2,}?)isim[oa]s?$")
_DIMINUTIVE_RE = re.compile(r"^(.{3,}?)(?:it|ic|ill)([oa])s?$")

_EMOTICON_PATTERN = "|".join(re.escape(e) for e in sorted(EMOTICON_VALENCE, key=len, reverse=True))
_EMOJI_CLASS = "".join(re.escape(ch) for ch in EMOJI_VALENCE)
_TOKEN_RE = re.compile(
    rf"(?P<emoticon>(?<!\S)(?:{_EMOTICON_PATTERN})(?=\s|$|[.,!?]))"
    r"|(?P<word>[^\W\d_]+)"
    rf"|(?P<emoji>[{_EMOJI_CLASS}])"
    r"|(?P<punct>[!?¡¿.,;:…\n])"
)
_SENTENCE_END = frozenset({".", "!", "?", "\n", "…"})
_CLAUSE_END = _SENTENCE_END | {",", ";", ":", "¿", "¡"}

LEXICON = lx.load_lexicon()


@dataclass(slots=True)
class Token:
    kind: str  # "word", "emoji" or "punct"
    text: str  # normalised word, emoji character or punctuation mark
    raw: str = ""  # the word as written (for ALL-CAPS emphasis)
    emphasis: float = 1.0  # elongation
    valence: float = 0.0  # emoji / emoticon valence
    sentence: int = 0


@dataclass
class Contribution:
    term: str
    valence: float  # after negation, intensifiers and clause weights


def _clean(text: str) -> str:
    text = _URL_RE.sub(" ", text)
    text = _HANDLE_RE.sub(" ", text)
    text = _HASHTAG_RE.sub(lambda m: " " + _CAMEL_RE.sub(" ", m.group(1)) + " ", text)
    return strip_emoji_modifiers(text)


def _lookup_plain(word: str) -> float | None:
    """Exact form, then the longest matching stem entry."""
    valence = LEXICON.words.get(word)
    if valence is not None:
        return valence
    stems = LEXICON.stems
    for end in range(len(word), LEXICON.min_stem_len - 1, -1):
        valence = stems.get(word[:end])
        if valence is not None:
            return valence
    return None


@lru_cache(maxsize=65536)
def lookup(word: str) -> tuple[float, float] | None:
    """Valence and emphasis of a normalised word, trying light stemming when it is not listed.

    Returns None for words without sentiment. Cached: social posts reuse a small vocabulary.
    """
    valence = _lookup_plain(word)
    if valence is not None:
        return valence, 1.0
    # Absolute superlative: "lentísimo" -> "lento", "riquísimas" -> "rico", "felicísimo" -> "feliz".
    match = _ISIMO_RE.match(word)
    if match:
        base = match.group(1)
        bases = [base]
        if base.endswith("qu"):
            bases.append(base[:-2] + "c")
        elif base.endswith("gu"):
            bases.append(base[:-1])
        elif base.endswith("c"):
            bases.append(base[:-1] + "z")
        for candidate_base in bases:
            for ending in ("o", "a", "e", "", "ble"):
                valence = _lookup_plain(candidate_base + ending)
                if valence is not None:
                    return valence, SUPERLATIVE_FACTOR
        if base.endswith("bil"):  # "amabilísimo" -> "amable"
            valence = _lookup_plain(base[:-3] + "ble")
            if valence is not None:
                return valence, SUPERLATIVE_FACTOR
    # Glued intensifier: "superrápido", "hiperamable".
    for prefix, factor in lx.INTENSIFYING_PREFIXES:
        if word.startswith(prefix) and len(word) > len(prefix) + 2:
            found = lookup(word[len(prefix) :])
            if found is not None:
                return found[0], factor * found[1]
    # Diminutive: "bonito" is listed, but "cerradita", "lentito" are not.
    match = _DIMINUTIVE_RE.match(word)
    if match:
        for candidate in (match.group(1) + match.group(2), match.group(1) + "o", match.group(1) + "e"):
            valence = _lookup_plain(candidate)
            if valence is not None:
                return valence, 1.0
    # Plurals not listed: "geniales" -> "genial", "horribles" is covered by its stem.
    for candidate in (word[:-2] if word.endswith("es") else None, word[:-1] if word.endswith("s") else None):
        if candidate and len(candidate) >= 3:
            valence = _lookup_plain(candidate)
            if valence is not None:
                return valence, 1.0
    return None


_KNOWN_FUNCTION_WORDS = (
    lx.NEGATORS
    | lx.SHORT_NEGATORS
    | lx.CONTRASTIVES
    | lx.CONCESSIVES
    | lx.ABSENCE_NOUNS
    | frozenset(lx.INTENSIFIERS)
    | frozenset(lx.ABBREVIATIONS)
)


def _is_known(word: str) -> bool:
    return word in _KNOWN_FUNCTION_WORDS or lookup(word) is not None


@lru_cache(maxsize=65536)
def _normalise_word(raw: str) -> tuple[tuple[str, ...], float]:
    """Normalised word(s) for a raw token, with the emphasis an elongation adds.

    Cached: a pure function of the word as written, and posts reuse a small vocabulary."""
    word = lx.normalise(raw)
    emphasis = 1.0
    if _LAUGHTER_RE.match(word) and len(word) >= 4:
        return ("jaja",), 1.0
    if _ELONGATION_RE.search(word):
        emphasis = ELONGATION_FACTOR
        single = _ELONGATION_RE.sub(r"\1", word)  # "genialll" -> "genial"
        double = _ELONGATION_RE.sub(r"\1\1", word)  # "llleno" -> "lleno"
        word = double if _is_known(double) and not _is_known(single) else single
    elif (
        len(word) > 3
        and word[-1] == word[-2]
        and word[-2:] not in ("ll", "rr", "cc")
        and not _is_known(word)
        and _is_known(word[:-1])
    ):
        # "geniall", "holaa": one repeated final letter is also emphasis.
        word, emphasis = word[:-1], ELONGATION_FACTOR
    return lx.ABBREVIATIONS.get(word, (word,)), emphasis


def tokenise(text: str) -> list[Token]:
    tokens: list[Token] = []
    for match in _TOKEN_RE.finditer(_clean(text)):
        kind = match.lastgroup
        value = match.group()
        if kind == "word":
            words, emphasis = _normalise_word(value)
            for word in words:
                tokens.append(Token("word", word, value, emphasis))
        elif kind == "emoji":
            tokens.append(Token("emoji", value, valence=EMOJI_VALENCE[value]))
        elif kind == "emoticon":
            tokens.append(Token("emoji", value, valence=EMOTICON_VALENCE[value]))
        else:
            tokens.append(Token("punct", value))
    return tokens


def _mark_sentences(tokens: list[Token]) -> dict[int, bool]:
    """Number the sentences in place; return which of them are questions."""
    questions: dict[int, bool] = {}
    sentence, has_content = 0, False
    for token in tokens:
        if token.kind == "punct" and token.text in ("¿", "¡"):
            if has_content:
                sentence, has_content = sentence + 1, False
            if token.text == "¿":
                questions[sentence] = True
        token.sentence = sentence
        if token.kind != "punct":
            has_content = True
        elif token.text in _SENTENCE_END:
            if token.text == "?":
                questions[sentence] = True
            if has_content:
                sentence, has_content = sentence + 1, False
    return questions


# First words of every multi-word unit: most tokens start none, and checking one set is much
# cheaper than building candidate tuples for four tables at every position.
_PHRASE_STARTS = frozenset(
    phrase[0]
    for table in (LEXICON.phrases, lx.NEGATOR_PHRASES, lx.INTENSIFIER_PHRASES, lx.CONTRASTIVE_PHRASES)
    for phrase in table
)
_MAX_PHRASE_LEN = max(
    len(phrase)
    for table in (LEXICON.phrases, lx.NEGATOR_PHRASES, lx.INTENSIFIER_PHRASES, lx.CONTRASTIVE_PHRASES)
    for phrase in table
)


def _match_phrase(tokens: list[Token], start: int, table) -> int:
    """Length of the longest phrase of ``table`` starting at ``start`` (0 if none)."""
    words: list[str] = []
    for token in tokens[start : start + _MAX_PHRASE_LEN]:
        if token.kind != "word":
            break
        words.append(token.text)
    for length in range(len(words), 1, -1):
        if tuple(words[:length]) in table:
            return length
    return 0


def explain(text: str) -> tuple[float, list[Contribution]]:
    """Raw sentiment sum S (before squashing) and the contribution of each sentiment unit."""
    tokens = tokenise(text)
    if not tokens:
        return 0.0, []
    questions = _mark_sentences(tokens)
    all_caps_post = text.isupper()

    # (token index, term, valence before clause weights)
    units: list[tuple[int, str, float]] = []
    contrast_at: int | None = None
    concessive: set[int] = set()  # token indexes inside an "aunque ..." clause
    neg_left = 0
    boost, boost_left = 1.0, 0
    in_concessive = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "punct":
            if token.text in _CLAUSE_END:
                neg_left, boost_left, in_concessive = 0, 0, False
            i += 1
            continue
        if in_concessive:
            concessive.add(i)
        if token.kind == "emoji":
            units.append((i, token.text, token.valence))
            i += 1
            continue

        # Multi-word units first: they decide what their words mean ("sin duda", "vale la pena").
        starts_phrase = token.text in _PHRASE_STARTS
        length = starts_phrase and _match_phrase(tokens, i, lx.CONTRASTIVE_PHRASES)
        if length:
            contrast_at, neg_left = i, 0
            i += length
            continue
        length = starts_phrase and _match_phrase(tokens, i, LEXICON.phrases)
        if length:
            phrase = " ".join(t.text for t in tokens[i : i + length])
            valence = LEXICON.phrases[tuple(t.text for t in tokens[i : i + length])]
            if valence:
                if boost_left:
                    valence *= boost
                # A preceding negation flips the phrase ("no vale la pena"), unless the phrase
                # is itself the negated form ("no tiene sentido").
                if neg_left and tokens[i].text not in lx.NEGATORS:
                    valence *= NEGATION_FACTOR
                units.append((i, phrase, valence))
            neg_left, boost_left = 0, 0
            i += length
            continue
        length = starts_phrase and _match_phrase(tokens, i, lx.NEGATOR_PHRASES)
        if length:
            neg_left = lx.NEGATION_WINDOW
            i += length
            continue
        length = starts_phrase and _match_phrase(tokens, i, lx.INTENSIFIER_PHRASES)
        if length:
            boost = lx.INTENSIFIER_PHRASES[tuple(t.text for t in tokens[i : i + length])]
            boost_left = lx.INTENSIFIER_REACH
            i += length
            continue

        word = token.text
        if word in lx.CONTRASTIVES:
            contrast_at, neg_left, boost_left = i, 0, 0
        elif word in lx.CONCESSIVES:
            in_concessive, neg_left = True, 0
            concessive.add(i)
        elif word in lx.NEGATORS:
            # Negative concord: inside a scope, "nada"/"nunca"/"nadie" extend it.
            neg_left = lx.NEGATION_WINDOW
        elif word in lx.SHORT_NEGATORS:
            neg_left = lx.SHORT_NEGATION_WINDOW
        elif word in lx.INTENSIFIERS and lookup(word) is None:
            boost, boost_left = lx.INTENSIFIERS[word], lx.INTENSIFIER_REACH
        else:
            found = lookup(word)
            if neg_left and word in lx.ABSENCE_NOUNS:
                units.append((i, "sin " + word, lx.ABSENCE_VALENCE))
                neg_left = 0
            elif found is not None:
                valence, emphasis = found
                valence *= emphasis * token.emphasis
                if boost_left:
                    valence *= boost
                    boost_left = 0
                if token.raw.isupper() and len(token.raw) > 1 and not all_caps_post:
                    valence *= CAPS_FACTOR
                if neg_left:
                    # The negation is spent on its first sentiment word: in "no funciona y es
                    # lento" only "funciona" is negated. A following "ni" opens a new scope.
                    valence *= NEGATION_FACTOR
                    neg_left = 0
                units.append((i, word, valence))
            elif word not in lx.NEGATION_TRANSPARENT:
                neg_left = max(neg_left - 1, 0)
                boost_left = max(boost_left - 1, 0)
        i += 1

    contributions: list[Contribution] = []
    total = 0.0
    for index, term, valence in units:
        weight = 1.0
        if tokens[index].kind == "word" and questions.get(tokens[index].sentence):
            weight *= QUESTION_WEIGHT
        if contrast_at is not None:
            weight *= lx.BEFORE_CONTRAST_WEIGHT if index < contrast_at else lx.AFTER_CONTRAST_WEIGHT
        if index in concessive:
            weight *= lx.CONCESSIVE_WEIGHT
        contributions.append(Contribution(term, valence * weight))
        total += valence * weight

    if total:
        exclamations = min(text.count("!"), MAX_EXCLAMATIONS)
        total += math.copysign(EXCLAMATION_BOOST * exclamations, total)
    return total, contributions


def squash(total: float) -> float:
    """Map an unbounded sum to (-1, 1), monotonically."""
    return total / math.sqrt(total * total + ALPHA)


def spanish_score(text: str) -> float:
    """Sentiment of a Spanish post in [-1, 1] (0 when nothing in it carries sentiment)."""
    total, _ = explain(text)
    return squash(total)
