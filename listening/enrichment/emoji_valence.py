"""Emoji and emoticon valences shared by the Spanish and English analysers.

Emoji are language-independent and, on short posts, often the strongest signal there is, so
both analysers read them from this one table (and the fallback for other languages uses it
alone). Valences use the same -4..+4 scale as the word lexicons. The values are our own
judgement of how the emoji are used in posts about libraries: laughing faces are only mildly
positive (they also mock), 🙏 means "thanks" far more often than "please", 🔥 means "great".
"""

from __future__ import annotations

import re

EMOJI_VALENCE: dict[str, float] = {
    # Happy and loving faces
    "😀": 2.0,
    "😃": 2.0,
    "😄": 2.2,
    "😁": 2.0,
    "😆": 1.8,
    "😅": 0.5,
    "😂": 1.5,
    "🤣": 1.5,
    "🙂": 1.2,
    "😊": 2.2,
    "☺": 2.0,
    "😇": 1.5,
    "😉": 1.0,
    "😌": 1.5,
    "😍": 3.0,
    "🥰": 3.0,
    "😘": 2.2,
    "😻": 2.5,
    "🤩": 3.0,
    "😎": 1.5,
    "🥳": 2.5,
    "🤗": 2.0,
    "😋": 1.5,
    "🥹": 1.5,
    "🤓": 0.8,
    # Hearts
    "❤": 2.5,
    "♥": 2.5,
    "🧡": 2.3,
    "💛": 2.3,
    "💚": 2.3,
    "💙": 2.3,
    "💜": 2.3,
    "🤍": 2.0,
    "🖤": 1.2,
    "💕": 2.5,
    "💖": 2.5,
    "💗": 2.5,
    "💓": 2.5,
    "💞": 2.5,
    "💘": 2.3,
    "💝": 2.3,
    "😽": 2.0,
    # Approval and celebration
    "👍": 1.8,
    "👏": 2.0,
    "🙌": 2.0,
    "👌": 1.8,
    "💪": 1.5,
    "🙏": 1.5,
    "🎉": 2.0,
    "🎊": 2.0,
    "🥇": 2.0,
    "🏆": 2.0,
    "💯": 2.0,
    "🔥": 1.5,
    "✨": 1.2,
    "🌟": 1.5,
    "⭐": 1.2,
    "🆒": 1.5,
    "🤝": 1.2,
    # Sad, annoyed and angry faces
    "😡": -3.0,
    "😠": -2.8,
    "🤬": -3.5,
    "😤": -2.2,
    "👎": -2.2,
    "😢": -2.2,
    "😭": -2.0,
    "😞": -2.2,
    "😔": -1.8,
    "😟": -1.5,
    "😕": -1.2,
    "🙁": -1.5,
    "☹": -1.8,
    "😣": -1.8,
    "😖": -2.0,
    "😫": -2.0,
    "😩": -2.0,
    "😒": -1.8,
    "🙄": -1.8,
    "😑": -1.0,
    "😐": -0.5,
    "😬": -1.0,
    "😰": -1.8,
    "😨": -1.8,
    "😱": -1.5,
    "😓": -1.2,
    "😥": -1.5,
    "😪": -1.0,
    "😴": -0.8,
    "🥱": -1.2,
    "🥶": -1.2,
    "🥵": -1.2,
    "🤢": -2.5,
    "🤮": -2.8,
    "💩": -2.5,
    "💔": -2.5,
    "🤦": -1.8,
    "😿": -2.0,
    "❌": -1.0,
}

# ASCII emoticons, matched case-sensitively on whitespace-separated tokens (":D" is not ":d").
EMOTICON_VALENCE: dict[str, float] = {
    ":)": 2.0,
    ":-)": 2.0,
    "=)": 2.0,
    ":]": 1.8,
    ":D": 2.5,
    ":-D": 2.5,
    "xD": 1.5,
    "XD": 1.5,
    ";)": 1.0,
    ";-)": 1.0,
    ":P": 1.0,
    ":p": 1.0,
    "<3": 2.5,
    ":(": -2.0,
    ":-(": -2.0,
    "=(": -2.0,
    ":'(": -2.2,
    ":/": -1.0,
    ":-/": -1.0,
    ":S": -1.2,
    ">:(": -2.8,
}

# Code points that only modify the emoji before them: variation selectors (❤️ = ❤ + U+FE0F),
# skin tones, the zero-width joiner and the gender signs of ZWJ sequences (🤦‍♀️). Removing them
# lets every variant hit the same table entry.
_MODIFIERS_RE = re.compile("[\ufe0e\ufe0f\u200d\u2640\u2642\U0001f3fb-\U0001f3ff]")

_EMOTICON_RE = re.compile(
    r"(?<!\S)(" + "|".join(re.escape(e) for e in sorted(EMOTICON_VALENCE, key=len, reverse=True)) + r")(?=\s|$|[.,!?])"
)


def strip_emoji_modifiers(text: str) -> str:
    """Drop variation selectors, skin tones and ZWJ glue so emoji compare by their base."""
    return _MODIFIERS_RE.sub("", text)


def extract_emoticons(text: str) -> tuple[str, list[float]]:
    """Return ``text`` without its ASCII emoticons, and their valences in order of appearance."""
    found: list[float] = []

    def _take(match: re.Match[str]) -> str:
        found.append(EMOTICON_VALENCE[match.group(1)])
        return " "

    return _EMOTICON_RE.sub(_take, text), found


def emoji_score(text: str) -> float:
    """Sum of the valences of the emoji and emoticons in ``text`` (no other processing)."""
    text, found = extract_emoticons(strip_emoji_modifiers(text))
    return sum(found) + sum(EMOJI_VALENCE.get(ch, 0.0) for ch in text)
