"""Offline enrichment of ingested mentions: language identification and sentiment.

Public API (stable, used by ``listening.services.ingest``)::

    detect_language(text: str, hint: str | None = None) -> str | None
    analyse_sentiment(text: str, language: str | None) -> tuple[str, float]

Both work without network access and load their models lazily, once per process.
"""

from listening.enrichment.language import detect_language
from listening.enrichment.sentiment import analyse_sentiment

__all__ = ["analyse_sentiment", "detect_language"]
