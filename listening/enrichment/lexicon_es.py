"""Spanish word lists for the sentiment scorer: the valence lexicon loader and the function words.

The valenced words live in ``lexicon_es.tsv`` (data, easy to review and extend); the words that
*change* the valence of others — negators, intensifiers, contrastive conjunctions — and the
social-media spellings live here, because the scorer's rules are written against them.
All keys are in normalised form: lowercase, accents removed, ñ kept (see ``normalise``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

LEXICON_PATH = Path(__file__).with_name("lexicon_es.tsv")

# Accent folding that keeps ñ: "años" and "anos" are different words, while "fatal"/"fatál"
# and "dia"/"día" are not, and people drop accents all the time when typing on a phone.
_FOLD = str.maketrans("áàâäéèêëíìîïóòôöúùûüç", "aaaaeeeeiiiioooouuuuc")


def normalise(word: str) -> str:
    """Lowercase and strip accents (but keep ñ)."""
    return word.lower().translate(_FOLD)


@dataclass(frozen=True)
class SpanishLexicon:
    words: dict[str, float]  # exact forms
    stems: dict[str, float]  # "encant" for "encant*"
    phrases: dict[tuple[str, ...], float]  # ("vale", "la", "pena")
    max_phrase_len: int
    min_stem_len: int


def load_lexicon(path: Path = LEXICON_PATH) -> SpanishLexicon:
    words: dict[str, float] = {}
    stems: dict[str, float] = {}
    phrases: dict[tuple[str, ...], float] = {}
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            term, sep, value = line.rpartition("\t")
            if not sep:
                raise ValueError(f"{path.name}:{number}: expected 'term<TAB>valence'")
            valence = float(value)
            term = normalise(term.strip())
            if " " in term:
                phrases[tuple(term.split())] = valence
            elif term.endswith("*"):
                stems[term[:-1]] = valence
            else:
                words[term] = valence
    return SpanishLexicon(
        words=words,
        stems=stems,
        phrases=phrases,
        max_phrase_len=max((len(p) for p in phrases), default=1),
        min_stem_len=min((len(s) for s in stems), default=1),
    )


# Negators open a negation scope over the next few words. Spanish uses negative concord
# ("no me gustó nada", "no vino nadie"), so a negator inside an open scope extends it instead
# of flipping it back.
NEGATORS = frozenset(
    {"no", "nunca", "jamas", "tampoco", "ni", "nada", "nadie", "ningun", "ninguno", "ninguna", "apenas"}
)
# Clitics and auxiliaries do not use up a negation scope: in "no se puede estudiar tranquilo" or
# "no me lo han arreglado" the negated word is four or five tokens after "no".
NEGATION_TRANSPARENT = frozenset(
    {
        "me", "te", "se", "le", "les", "lo", "la", "los", "las", "nos", "os",
        "es", "son", "era", "eran", "fue", "fueron", "sea", "esta", "estan", "estaba", "estaban",
        "ha", "han", "he", "has", "hemos", "habia", "habian", "haber", "hay",
        "puede", "pueden", "podia", "podian", "pude", "pudo", "pudimos", "debe", "deben",
    }
)  # fmt: skip
# "sin" negates only what immediately follows ("sin wifi", "sin problemas"), not a whole clause.
SHORT_NEGATORS = frozenset({"sin"})
NEGATION_WINDOW = 3
SHORT_NEGATION_WINDOW = 2

# Multi-word negators, matched like phrases; they open a scope but carry no valence themselves.
NEGATOR_PHRASES = frozenset({("para", "nada"), ("en", "absoluto"), ("ni", "de", "broma")})

# Things a library user expects to be there. They are neutral on their own, but when negated
# ("sin wifi", "no hay enchufes", "ni una explicación") the post is a complaint about their
# absence, and flipping a 0 valence would miss that.
ABSENCE_NOUNS = frozenset(
    {
        "wifi",
        "internet",
        "conexion",
        "cobertura",
        "red",
        "luz",
        "calefaccion",
        "aire",
        "sitio",
        "sitios",
        "hueco",
        "huecos",
        "enchufe",
        "enchufes",
        "aviso",
        "avisar",
        "avisaron",
        "avisan",
        "explicacion",
        "explicaciones",
        "respuesta",
        "respuestas",
        "sombra",
        "personal",
        "agua",
        "papel",
        "sillas",
        "mesas",
        "novedad",
        "novedades",
        "solucion",
    }
)
ABSENCE_VALENCE = -1.5

# Multipliers applied to the next sentiment word (within INTENSIFIER_REACH words).
INTENSIFIERS = {
    "muy": 1.3,
    "mu": 1.3,
    "super": 1.4,
    "hiper": 1.4,
    "mega": 1.4,
    "ultra": 1.4,
    "requete": 1.4,
    "re": 1.3,  # Rioplatense "re bueno"
    "bastante": 1.15,
    "mucho": 1.25,
    "mucha": 1.25,
    "muchos": 1.25,
    "muchas": 1.25,
    "muchisimo": 1.5,
    "muchisima": 1.5,
    "muchisimas": 1.5,
    "muchisimos": 1.5,
    "demasiado": 1.3,
    "demasiada": 1.3,
    "tan": 1.2,
    "tanto": 1.2,
    "tanta": 1.2,
    "totalmente": 1.3,
    "completamente": 1.3,
    "absolutamente": 1.3,
    "realmente": 1.3,
    "verdaderamente": 1.3,
    "increiblemente": 1.4,
    "extremadamente": 1.4,
    "sumamente": 1.4,
    "especialmente": 1.2,
    "tremendo": 1.3,
    "tremenda": 1.3,
    "menudo": 1.3,
    "menuda": 1.3,
    "vaya": 1.2,
    # Downtoners.
    "algo": 0.7,
    "medio": 0.6,
    "casi": 0.7,
    "ligeramente": 0.6,
    # Bare "poco" before an adjective is a soft negation in Spanish: "poco útil" = not useful.
    "poco": -0.6,
    "poca": -0.6,
    "pocos": -0.6,
    "pocas": -0.6,
}
INTENSIFIER_PHRASES = {("un", "poco"): 0.6, ("un", "monton"): 1.25, ("de", "verdad"): 1.2}
INTENSIFIER_REACH = 2

# Glued intensifying prefixes ("superrápido", "hiperamable"): stripped when the whole word is
# unknown and the rest is a lexicon word.
INTENSIFYING_PREFIXES = (("requete", 1.4), ("super", 1.4), ("hiper", 1.4), ("ultra", 1.4), ("mega", 1.4))

# After "pero" (and its synonyms) comes what the author really means: "bonita pero ruidosa" is a
# complaint. Words before the last contrastive marker are damped, words after it boosted.
# (Literary "mas" = but is left out: without accents it is indistinguishable from "más".)
CONTRASTIVES = frozenset({"pero", "sino"})
CONTRASTIVE_PHRASES = frozenset({("sin", "embargo"), ("no", "obstante")})
BEFORE_CONTRAST_WEIGHT = 0.5
AFTER_CONTRAST_WEIGHT = 1.5
# "aunque" introduces the concession, so it is the other way round: its own clause weighs less.
CONCESSIVES = frozenset({"aunque"})
CONCESSIVE_WEIGHT = 0.5

# Social-media spellings -> standard words. Values are tuples because some expand to two words.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "q": ("que",),
    "k": ("que",),
    "ke": ("que",),
    "qe": ("que",),
    "xq": ("porque",),
    "pq": ("porque",),
    "xk": ("porque",),
    "pk": ("porque",),
    "porq": ("porque",),
    "porke": ("porque",),
    "x": ("por",),
    "tb": ("tambien",),
    "tmb": ("tambien",),
    "tbn": ("tambien",),
    "tmp": ("tampoco",),
    "tp": ("tampoco",),
    "nd": ("nada",),
    "bn": ("bien",),
    "mb": ("muy", "bien"),
    "dnd": ("donde",),
    "d": ("de",),
    "pa": ("para",),
    "xa": ("para",),
    "aki": ("aqui",),
    "ns": ("no", "se"),
    "nc": ("no", "se"),
    "weno": ("bueno",),
    "wena": ("buena",),
    "wenos": ("buenos",),
    "wenas": ("buenas",),
    "grax": ("gracias",),
    "graxs": ("gracias",),
    "grasias": ("gracias",),
    "graciaz": ("gracias",),
    "mñn": ("mañana",),
    "sq": ("es", "que"),
    "tqm": ("tqm",),
    "porfa": ("por", "favor"),
    "xfa": ("por", "favor"),
    "xfavor": ("por", "favor"),
    "plis": ("por", "favor"),
    "toy": ("estoy",),
}
