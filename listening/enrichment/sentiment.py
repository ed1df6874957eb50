"""Sentiment of a social post: ``analyse_sentiment(text, language) -> (label, score)``.

Routing by language:

* ``es`` -> our own lexicon/rule scorer (``spanish.py`` + ``lexicon_es.tsv``);
* ``en`` -> VADER with library-domain additions (``english.py``);
* anything else, or None -> the post is run through ``detect_language``: if it *looks* English
  (or Spanish) the matching analyser is used anyway — platforms mislabel short posts and
  callers may have no tag at all. Otherwise only the emoji and emoticons are scored, because
  they mean the same in every language ("Adorei a biblioteca 😍" is positive); a post in an
  unsupported language without emoji is therefore neutral with score 0.0.

Labels come from per-language thresholds on the score, chosen on the evaluation sets in
``eval/`` (see ``evaluate.py``; run ``manage.py evaluate_sentiment``). The score itself is
continuous in [-1, 1] and is what dashboards should average.
"""

from __future__ import annotations

import logging

from listening.enrichment.emoji_valence import emoji_score
from listening.enrichment.language import detect_language, normalise_language_code

logger = logging.getLogger(__name__)

POSITIVE = "positive"
NEUTRAL = "neutral"
NEGATIVE = "negative"
LABELS = (POSITIVE, NEUTRAL, NEGATIVE)

SUPPORTED_LANGUAGES = ("es", "en")

# (negative_below, positive_above): score <= first -> negative, score >= second -> positive.
# Chosen as the macro-F1 optimum of evaluate.sweep_thresholds() on eval/sentiment_{es,en}.tsv
# (grid 0.05..0.60). The band is asymmetric for the same reason in both languages: complaints
# are often phrased with one mild word ("cerrada otra vez", "still no sign"), while neutral
# announcements and questions collect mildly positive words ("gratis", "free", "welcome",
# "help", "recomendáis"), so it takes more evidence to call a post positive. VADER's usual
# ±0.05 would label most library announcements positive. A 2-fold cross-validation of this
# choice (evaluate.cross_validate_thresholds) loses under 1 point of macro-F1 in Spanish and
# about 1 point in English, so the thresholds themselves are not overfitted.
THRESHOLDS: dict[str, tuple[float, float]] = {
    "es": (-0.2, 0.35),
    "en": (-0.15, 0.3),
}
# Emoji-only scoring of other languages reuses the Spanish scale and thresholds.
FALLBACK_THRESHOLDS = THRESHOLDS["es"]


def label_for(score: float, language: str | None) -> str:
    negative_below, positive_above = THRESHOLDS.get(language or "", FALLBACK_THRESHOLDS)
    if score >= positive_above:
        return POSITIVE
    if score <= negative_below:
        return NEGATIVE
    return NEUTRAL


def raw_score(text: str, language: str) -> float:
    """Score with a given analyser ("es", "en", or anything else for emoji-only). No routing."""
    if language == "es":
        from listening.enrichment.spanish import spanish_score

        return spanish_score(text)
    if language == "en":
        from listening.enrichment.english import english_score

        return english_score(text)
    from listening.enrichment.spanish import squash

    return squash(emoji_score(text))


def resolve_analyser(text: str, language: str | None) -> str | None:
    """Which analyser to use: "es", "en", or None for emoji-only (see the module docstring)."""
    code = normalise_language_code(language)
    if code in SUPPORTED_LANGUAGES:
        return code
    detected = detect_language(text)
    return detected if detected in SUPPORTED_LANGUAGES else None


def analyse_sentiment(text: str, language: str | None) -> tuple[str, float]:
    """Return (``"positive" | "neutral" | "negative"``, score in [-1, 1]) for a post.

    ``language`` is an ISO 639-1 code or a platform tag ("es", "es-ES", "EN"...), or None.
    Never raises: this runs inside ingestion, where one odd post must not stop a batch; an
    unexpected error is logged and the post is scored neutral.
    """
    if not text or not isinstance(text, str):
        return NEUTRAL, 0.0
    try:
        analyser = resolve_analyser(text, language)
        score = float(raw_score(text, analyser or ""))
        if score != score:  # NaN guard; cannot happen with the current analysers
            score = 0.0
        score = round(max(-1.0, min(1.0, score)), 4)
        return label_for(score, analyser), score
    except Exception:
        logger.exception("sentiment analysis failed; scoring the post neutral")
        return NEUTRAL, 0.0
