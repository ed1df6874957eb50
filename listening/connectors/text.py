"""Small, forgiving helpers shared by connectors: HTML to plain text, timestamps, numbers.

Platforms send HTML fragments (Mastodon, feeds), timestamps in several ISO 8601 flavours and
counts that are sometimes strings or null. These helpers never raise on bad input: they return
an empty string, ``None`` or a default so one odd field does not lose a whole page.
"""

from __future__ import annotations

import email.utils
import html
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

# Tags after which the reader expects a new line; without them paragraphs run together.
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
    }
)
# Content of these tags is never text a person wrote.
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript", "head", "title"})


# Placeholders for the breaks block tags imply. Nested blocks ("</li></ul></div>") would otherwise
# pile up blank lines, so each run of them becomes one break: a blank line if a <p> is involved,
# else a single line break (but never fewer breaks than explicit <br>s in the run).
_LINE = "\x00"
_PARAGRAPH = "\x01"
_BREAK_RUN = re.compile(r"\s*[\x00\x01][\x00\x01\s]*")


def _resolve_breaks(match: re.Match) -> str:
    run = match.group()
    return "\n" * max(run.count("\n"), 2 if _PARAGRAPH in run else 1)


class _TextExtractor(HTMLParser):
    def __init__(self, *, newlines_are_spaces: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.pre_depth = 0
        self.newlines_are_spaces = newlines_are_spaces

    def handle_starttag(self, tag, attrs):
        if tag == "pre":
            self.pre_depth += 1
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARAGRAPH if tag == "p" else _LINE)

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)
        if tag in _SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARAGRAPH if tag == "p" else _LINE)

    def handle_data(self, data):
        if self.skip_depth:
            return
        data = data.replace(_LINE, "").replace(_PARAGRAPH, "")  # control characters are never text
        if self.newlines_are_spaces and not self.pre_depth:
            # In HTML a newline in the source is just a space; breaks come from <br>, <p> and the like.
            data = data.replace("\r", " ").replace("\n", " ")
        self.parts.append(data)


_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def html_to_text(html_fragment: str | None) -> str:
    """Plain text from an HTML fragment: tags removed, entities decoded, <br> and <p> kept as
    line breaks, runs of spaces collapsed. Never raises; returns "" for empty or non-string input."""
    if not html_fragment or not isinstance(html_fragment, str):
        return ""
    # Plain text (no tags at all, as some feeds send) keeps its own line breaks.
    parser = _TextExtractor(newlines_are_spaces=bool(_TAG.search(html_fragment)))
    try:
        parser.feed(html_fragment)
        parser.close()
        text = _BREAK_RUN.sub(_resolve_breaks, "".join(parser.parts))
    except Exception:  # noqa: BLE001 - html.parser is lenient, but a bad fragment must not lose a page
        text = html.unescape(re.sub(r"<[^>]*>", " ", html_fragment))
    # Whitespace inside HTML is not meaningful; line breaks come from the tags above.
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    text = "\n".join(lines)
    return _MANY_NEWLINES.sub("\n\n", text).strip()


def parse_datetime_utc(value) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text (any offset, "Z", or none — naive means UTC),
    RFC 2822 text (as in RSS), epoch seconds, or a datetime. ``None`` when the value cannot be read."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        # Python 3.11 accepts "Z" and offsets, but not lower-case "z" or more than 6 fraction digits
        # (Lemmy and some feeds send nanoseconds).
        if text[-1] in "zZ":
            text = text[:-1] + "+00:00"
        text = re.sub(r"(\.\d{6})\d+", r"\1", text)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            try:
                parsed = email.utils.parsedate_to_datetime(value.strip())
            except (TypeError, ValueError, IndexError):
                return None
    else:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def to_int_or_none(value) -> int | None:
    """An int from an int, a float or numeric text ("1,234" and "12.0" included); otherwise ``None``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return int(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return to_int_or_none(number)
    return None


def to_int(value, default: int = 0) -> int:
    """Like ``to_int_or_none`` but with ``default`` when the value cannot be read."""
    number = to_int_or_none(value)
    return default if number is None else number
