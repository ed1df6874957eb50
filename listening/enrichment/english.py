"""English sentiment: VADER adapted to library social posts.

VADER (vaderSentiment, lexicon shipped in the package) already handles negation, 'but', degree
adverbs, capitals and exclamation marks for English social text. What it lacks for MESM:

* the library domain ("fined", "out of order", "no wifi", "unbearable" are not in its lexicon;
  "free" is strongly positive there but merely informational in "free entry") — patched from
  ``lexicon_en.tsv`` and the multi-word rewrites below;
* the emoji valences shared with the Spanish scorer — emoji and emoticons are rewritten into
  private tokens carrying the valences of ``emoji_valence`` so both languages agree on them;
* elongated spellings ("soooo gooood") — collapsed when the short form is a known word;
* links, @handles and '#' signs, which are noise to it.
"""

from __future__ import annotations

import math
import re
import threading
from pathlib import Path

from listening.enrichment.emoji_valence import EMOJI_VALENCE, EMOTICON_VALENCE, strip_emoji_modifiers

LEXICON_PATH = Path(__file__).with_name("lexicon_en.tsv")

_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE_RE = re.compile(r"(?<!\w)@\w+")
_HASHTAG_RE = re.compile(r"(?<!\w)#(\w+)")
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")
_ELONGATED_WORD_RE = re.compile(r"\b\w*(\w)\1{2,}\w*\b")
_ELONGATION_RE = re.compile(r"(\w)\1{2,}")

# Things a library user expects to find; "no wifi", "without any notice" are complaints even
# though neither word carries sentiment by itself.
_AMENITIES = (
    r"wi-?fi|internet|signal|heat(?:ing)?|a/?c|air conditioning|seats?|space|outlets?|plugs?|shade|"
    r"notice|warning|explanation|answers?|response|reply|staff|toilet paper|water|lights?|sign"
)
_NEGATED_WORK = (
    r"(?:not|isn'?t|aren'?t|doesn'?t|don'?t|didn'?t|hasn'?t|haven'?t|won'?t|never|stopped|barely|hardly)"
    r"\s+(?:been\s+|even\s+)?work(?:ing|ed|s)?"
)

# (pattern, token, valence): multi-word expressions rewritten to one token VADER can score
# (valence None: a plain rewrite to existing words). Order matters: earlier rewrites win.
_PHRASES: list[tuple[re.Pattern[str], str, float | None]] = [
    (re.compile(p, re.IGNORECASE), token, valence)
    for p, token, valence in [
        (r"\bwhat'?s not to (?:love|like)\b", "xx_whats_not_to_love", 2.8),
        (r"\b(?:couldn'?t|could not|can'?t|cannot) put (?:it|them|this|that) down\b", "xx_page_turner", 2.5),
        (r"\b(?:can'?t|cannot) wait\b", "xx_cant_wait", 2.0),
        (r"\b(?:can'?t|cannot) complain\b", "xx_cant_complain", 1.0),
        (r"\b(?:couldn'?t|could not) be (?:happier|better)\b", "xx_couldnt_be_happier", 3.0),
        (r"\b(?:can'?t|cannot) recommend (?:it |them |this place )?enough\b", "xx_highly_recommend", 3.0),
        (r"\b(?:no|zero) (?:late |overdue )?fees?\b", "xx_no_fees", 1.5),
        (r"\bworth it\b", "xx_worth_it", 2.0),
        (
            r"\b(?:just|finally|actually|now|everything|all)\s+works\b|\bworks\s+(?:great|perfectly|fine|well|like a charm)\b",
            "xx_works_well",
            1.5,
        ),
        # VADER reads "incredible" only as a degree adverb ("incredible view" = very good view)
        # and drops it when it is the predicate: "the makeover looks incredible".
        (r"\bincredible\b(?=\s*(?:[,.!?;]|$|and\b|but\b))", "xx_incredible", 2.5),
        # Genres and collections are topics, not opinions: "crime fiction", "horror section".
        (
            r"\b(?:true crime|crime|horror|war|murder|death|dark|tragic|disaster)\s+"
            r"(?:fiction|novels?|stories|books?|podcasts?|comics|films?|movies?|writers?|authors?|section|shelf|genre|collection)\b",
            "xx_genre",
            0.0,
        ),
        # A common name of library support groups, not friendship.
        (r"\bfriends of the(?: \w+)? library\b", "xx_friends_of_the_library", 0.0),
        (r"\bout of order\b", "xx_out_of_order", -2.0),
        (rf"\bstill\s+{_NEGATED_WORK}\b", "xx_not_working", -2.3),
        (rf"\b{_NEGATED_WORK}\b", "xx_not_working", -2.0),
        (r"\bstill (?:no|not|hasn'?t|haven'?t|isn'?t|waiting)\b", "xx_still_waiting", -1.2),
        (
            rf"\b(?:no|without(?: any)?|zero|with no|not (?:a|one|a single|any)|never (?:a|any))\s+(?:(?:prior|advance|free)\s+)?(?:{_AMENITIES})\b",
            "xx_lacks_amenity",
            -1.5,
        ),
        (
            r"\b(?:wi-?fi|internet|network|system|website|site|app|catalog(?:ue)?|computers?|printers?)"
            r"\s+(?:is\s+|was\s+|are\s+|went\s+|goes\s+)?(?:down|dead)\b",
            "xx_service_down",
            -1.8,
        ),
        (r"\b(?:makes?|made) no sense\b|\bdoesn'?t make (?:any )?sense\b", "xx_makes_no_sense", -1.8),
        (r"\bfor nothing\b", "xx_for_nothing", -1.0),
        (r"\b(?:what )?a (?:complete |total |bad )?joke\b", "xx_a_joke", -2.0),
        (r"\bslap in the face\b", "xx_slap_in_the_face", -2.5),
        # VADER scores "pretty" as the adjective (+2.2), which turns "pretty unpleasant" and
        # "pretty useless" positive; followed by another word it is the degree adverb.
        (r"\bpretty(?=\s+[a-z])", "quite", None),
        (r"\bover the moon\b", "xx_over_the_moon", 3.0),
        (r"\bhats off\b", "xx_hats_off", 2.5),
        (r"\bblown away\b", "xx_blown_away", 3.0),
        (r"\btop notch\b", "xx_top_notch", 2.8),
        (r"\bsecond to none\b", "xx_second_to_none", 3.0),
        (r"\b(?:a|such a) (?:joy|treat|pleasure|breath of fresh air)\b", "xx_a_joy", 2.5),
        (r"\b(?:can'?t|cannot) fault\b", "xx_cant_fault", 2.5),
        (r"\bno complaints\b", "xx_no_complaints", 1.8),
        (r"\b(?:fed up|sick (?:and tired )?of|tired of)\b", "xx_fed_up", -2.2),
        (r"\b(?:let (?:me |us )?down|fell flat|falls? short|fell short)\b", "xx_let_down", -2.0),
        (r"\bnot impressed\b", "xx_not_impressed", -1.8),
        (r"\b(?:takes?|took|taking) (?:forever|ages)\b", "xx_takes_forever", -1.8),
        (r"\bnever again\b", "xx_never_again", -2.2),
        (r"\brip off\b", "xx_ripoff", -2.5),
        (r"\blost and found\b", "xx_lost_and_found", 0.0),
        (r"\blate fees?\b", "xx_late_fee", -1.0),
    ]
]

# A literal that every match of a _PHRASES pattern contains (any one of the tuple), looked up in
# the lower-cased text before the pattern runs: most posts contain none of them, and 40 regex
# scans per post were most of ``prepare``'s time. A pattern missing here always runs.
_PHRASE_ANCHORS: dict[str, tuple[str, ...]] = {
    r"\bwhat'?s not to (?:love|like)\b": ("not to",),
    r"\b(?:couldn'?t|could not|can'?t|cannot) put (?:it|them|this|that) down\b": ("put",),
    r"\b(?:can'?t|cannot) wait\b": ("wait",),
    r"\b(?:can'?t|cannot) complain\b": ("complain",),
    r"\b(?:couldn'?t|could not) be (?:happier|better)\b": ("could",),
    r"\b(?:can'?t|cannot) recommend (?:it |them |this place )?enough\b": ("enough",),
    r"\b(?:no|zero) (?:late |overdue )?fees?\b": ("fee",),
    r"\bworth it\b": ("worth it",),
    r"\b(?:just|finally|actually|now|everything|all)\s+works\b|\bworks\s+(?:great|perfectly|fine|well|like a charm)\b": (
        "works",
    ),
    r"\bincredible\b(?=\s*(?:[,.!?;]|$|and\b|but\b))": ("incredible",),
    r"\b(?:true crime|crime|horror|war|murder|death|dark|tragic|disaster)\s+"
    r"(?:fiction|novels?|stories|books?|podcasts?|comics|films?|movies?|writers?|authors?|section|shelf|genre|collection)\b": (
        "crime", "horror", "war", "murder", "death", "dark", "tragic", "disaster",
    ),
    r"\bfriends of the(?: \w+)? library\b": ("friends of the",),
    r"\bout of order\b": ("out of order",),
    rf"\bstill\s+{_NEGATED_WORK}\b": ("work",),
    rf"\b{_NEGATED_WORK}\b": ("work",),
    r"\bstill (?:no|not|hasn'?t|haven'?t|isn'?t|waiting)\b": ("still ",),
    rf"\b(?:no|without(?: any)?|zero|with no|not (?:a|one|a single|any)|never (?:a|any))\s+(?:(?:prior|advance|free)\s+)?(?:{_AMENITIES})\b": (
        "no", "without", "zero", "never",
    ),
    r"\b(?:wi-?fi|internet|network|system|website|site|app|catalog(?:ue)?|computers?|printers?)"
    r"\s+(?:is\s+|was\s+|are\s+|went\s+|goes\s+)?(?:down|dead)\b": ("down", "dead"),
    r"\b(?:makes?|made) no sense\b|\bdoesn'?t make (?:any )?sense\b": ("sense",),
    r"\bfor nothing\b": ("for nothing",),
    r"\b(?:what )?a (?:complete |total |bad )?joke\b": ("joke",),
    r"\bslap in the face\b": ("slap in the face",),
    r"\bpretty(?=\s+[a-z])": ("pretty",),
    r"\bover the moon\b": ("over the moon",),
    r"\bhats off\b": ("hats off",),
    r"\bblown away\b": ("blown away",),
    r"\btop notch\b": ("top notch",),
    r"\bsecond to none\b": ("second to none",),
    r"\b(?:a|such a) (?:joy|treat|pleasure|breath of fresh air)\b": ("joy", "treat", "pleasure", "breath of fresh air"),
    r"\b(?:can'?t|cannot) fault\b": ("fault",),
    r"\bno complaints\b": ("no complaints",),
    r"\b(?:fed up|sick (?:and tired )?of|tired of)\b": ("fed up", "sick", "tired of"),
    r"\b(?:let (?:me |us )?down|fell flat|falls? short|fell short)\b": ("let ", "fell ", "fall"),
    r"\bnot impressed\b": ("not impressed",),
    r"\b(?:takes?|took|taking) (?:forever|ages)\b": ("forever", "ages"),
    r"\bnever again\b": ("never again",),
    r"\brip off\b": ("rip off",),
    r"\blost and found\b": ("lost and found",),
    r"\blate fees?\b": ("late fee",),
}  # fmt: skip
_PHRASE_STEPS = [(pattern, " " + token + " ", _PHRASE_ANCHORS.get(pattern.pattern)) for pattern, token, _ in _PHRASES]
# Characters that IGNORECASE matches to an ASCII letter but ``str.lower`` does not turn into one
# (dotless ı, long ſ, Kelvin sign, dotted İ): a post with any of them skips the anchor shortcut.
_CASE_TRAPS_RE = re.compile("[\u0131\u017f\u212a\u0130]")

_EMOJI_TOKENS = {ch: f"xx_emoji_{ord(ch):x}" for ch in EMOJI_VALENCE}
_EMOTICON_TOKENS = {e: f"xx_emoticon_{i}" for i, e in enumerate(EMOTICON_VALENCE)}
_EMOTICON_RE = re.compile(
    r"(?<!\S)(" + "|".join(re.escape(e) for e in sorted(EMOTICON_VALENCE, key=len, reverse=True)) + r")(?=\s|$|[.,!?])"
)
_EMOJI_RE = re.compile("[" + "".join(re.escape(ch) for ch in EMOJI_VALENCE) + "]")

# VADER negates any lexicon item within three tokens of "not"/"can't"/"never", emoji included:
# in "can't renew anything 😤" it would turn 😤 positive. Emoji are not negated in practice, so
# each emoji token is preceded by three neutral filler tokens that put it out of reach (they are
# not in the lexicon, so they do not change the compound score).
_SHIELD = " xx_ xx_ xx_ "

_analyser = None
_analyser_lock = threading.Lock()


def load_domain_lexicon(path: Path = LEXICON_PATH) -> dict[str, float]:
    entries: dict[str, float] = {}
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            term, sep, value = line.rpartition("\t")
            if not sep:
                raise ValueError(f"{path.name}:{number}: expected 'term<TAB>valence'")
            entries[term.strip().lower()] = float(value)
    return entries


def get_analyser():
    """VADER analyser with the MESM additions, built once per process (~30 ms)."""
    global _analyser
    if _analyser is None:
        with _analyser_lock:
            if _analyser is None:
                from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                analyser = SentimentIntensityAnalyzer()
                for word, valence in load_domain_lexicon().items():
                    if valence == 0:
                        analyser.lexicon.pop(word, None)
                    else:
                        analyser.lexicon[word] = valence
                for _, token, valence in _PHRASES:
                    if valence is not None:
                        analyser.lexicon[token] = valence
                for ch, token in _EMOJI_TOKENS.items():
                    analyser.lexicon[token] = EMOJI_VALENCE[ch]
                for emoticon, token in _EMOTICON_TOKENS.items():
                    analyser.lexicon[token] = EMOTICON_VALENCE[emoticon]
                _analyser = analyser
    return _analyser


def prepare(text: str, lexicon: dict[str, float], *, shortcut: bool = True) -> str:
    """Rewrite a post into the form VADER scores best (see the module docstring).

    ``shortcut=False`` runs every phrase rewrite without the anchor look-up (same result, slower;
    the tests compare the two)."""
    text = _URL_RE.sub(" ", text)
    text = _HANDLE_RE.sub(" ", text)
    text = _HASHTAG_RE.sub(lambda m: " " + _CAMEL_RE.sub(" ", m.group(1)) + " ", text)
    text = strip_emoji_modifiers(text)
    text = _EMOTICON_RE.sub(lambda m: _SHIELD + _EMOTICON_TOKENS[m.group(1)] + " ", text)
    text = _EMOJI_RE.sub(lambda m: _SHIELD + _EMOJI_TOKENS[m.group()] + " ", text)

    def _collapse(match: re.Match[str]) -> str:
        word = match.group()
        double = _ELONGATION_RE.sub(r"\1\1", word)
        single = _ELONGATION_RE.sub(r"\1", word)
        if double.lower() in lexicon:
            return double
        if single.lower() in lexicon:
            return single
        return double

    text = _ELONGATED_WORD_RE.sub(_collapse, text)
    shortcut = shortcut and not _CASE_TRAPS_RE.search(text)
    lowered = text.lower()
    for pattern, replacement, anchors in _PHRASE_STEPS:
        if shortcut and anchors is not None and not any(anchor in lowered for anchor in anchors):
            continue  # the pattern cannot match: none of its literals is in the text
        rewritten = pattern.sub(replacement, text)
        if rewritten != text:
            text, lowered = rewritten, rewritten.lower()
    return text


# Questions mostly ask ("Any recommendations for ...?", "Which time works better?") rather than
# judge, so their sentiment counts half, as in the Spanish scorer.
QUESTION_WEIGHT = 0.5
_VADER_ALPHA = 15.0  # VADER's own normalisation constant: compound = s / sqrt(s^2 + 15)
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+|\n+")


def _unsquash(compound: float) -> float:
    """Invert VADER's normalisation back to the summed valence it came from."""
    compound = max(-0.9999, min(0.9999, compound))
    return compound * math.sqrt(_VADER_ALPHA / (1.0 - compound * compound))


def english_score(text: str) -> float:
    """VADER compound score of an English post, in [-1, 1], with questions damped."""
    analyser = get_analyser()
    prepared = prepare(text, analyser.lexicon)
    if "?" not in prepared:
        return float(analyser.polarity_scores(prepared)["compound"])
    statements, questions = [], []
    for sentence in _SENTENCE_SPLIT_RE.split(prepared):
        if sentence.strip():
            (questions if sentence.rstrip().endswith("?") else statements).append(sentence)
    total = 0.0
    if statements:
        total += _unsquash(analyser.polarity_scores(" ".join(statements))["compound"])
    if questions:
        total += QUESTION_WEIGHT * _unsquash(analyser.polarity_scores(" ".join(questions))["compound"])
    return total / math.sqrt(total * total + _VADER_ALPHA)
