"""Words worth counting for trends: a small tokeniser with Spanish and English stop-words.

``terms(text)`` returns the set of terms of one mention (each counted once per mention by the
rollup). What is left out, and why:

- links, e-mail addresses and @handles (``@ana``, ``@ana@mastodon.social``, ``@ana.bsky.social``)
  say who or where, not what;
- #hashtags are counted on their own (``HashtagDaily``), so "#ClubDeLectura" does not also count
  as the word "clubdelectura";
- numbers and tokens that start with a digit ("2026", "9h", "15m");
- words shorter than three letters, and longer than ``MAX_LENGTH`` (links without a scheme, glued
  text);
- laughter ("jajaja", "jejeje", "hahaha");
- function words of Spanish and English (articles, pronouns, prepositions, conjunctions, the
  common forms of the auxiliary and most frequent verbs, fillers of social media). Both lists
  apply to every mention: language detection is unreliable on a short post, and a word that is
  a function word in one language is rarely a topic in the other.

Terms are case-folded and accent-folded (á→a, ü→u, ç→c…) so "Lectura", "lectura" and
"LECTURA", or "programación" and "programacion", count as one; ``ñ`` is kept because it changes
the word ("año" is not "ano"). ``surface_form`` gives back the words as written, so pages can
show "programación" rather than the folded key.
"""

from __future__ import annotations

import re
from collections import Counter

MIN_LENGTH = 3
MAX_LENGTH = 40

# One pass over the text: links, e-mail addresses, @handles (also user@instance and Bluesky's
# name.bsky.social) and #hashtags match without a group and are skipped; a word (group 1) starts
# with a letter and may carry digits ("covid19") and an apostrophe ("library's").
_TOKEN_RE = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|[\w.+-]*@[\w.@-]+"
    r"|#\w+"
    r"|([^\W\d_]\w*(?:['’][^\W\d_]+)*)",
    re.IGNORECASE,
)
_LAUGHTER_RE = re.compile(r"^(?:[jh][aeiou]){2,}[jh]?$|^lo+l+$|^x+d+$")
_POSSESSIVE_RE = re.compile(r"['’]s$")

_FOLD = str.maketrans(
    {
        **dict.fromkeys("áàâäãåā", "a"),
        **dict.fromkeys("éèêëē", "e"),
        **dict.fromkeys("íìîïī", "i"),
        **dict.fromkeys("óòôöõōø", "o"),
        **dict.fromkeys("úùûüū", "u"),
        "ç": "c",
        "ý": "y",
        "ÿ": "y",
        "’": "'",
    }
)


def fold(word: str) -> str:
    """Lower case without accents (``ñ`` kept): the form terms are counted and looked up in."""
    return word.casefold().translate(_FOLD)


# Spanish function words, written folded (no accents, ñ kept) as words are folded before the look-up.
_SPANISH = """
    a al algo alguien algun alguna algunas alguno algunos alla alli ambos ante antes aquel aquella
    aquellas aquello aquellos aqui asi aun aunque bajo bastante bien cada casi cierta ciertas cierto
    ciertos como con conmigo contigo contra cual cuales cualquier cualquiera cuan cuando cuanta
    cuantas cuanto cuantos de del demas demasiada demasiado dentro desde despues donde dos durante
    e el ella ellas ello ellos en encima entonces entre era eramos eran eras eres es esa esas ese
    eso esos esta estaba estabamos estaban estabas estada estado estais estamos estan estar estara
    estaran estare estaria estarian estas este esto estos estoy estuve estuvo fue fueron fui fuimos
    fuera fueramos fueran fuese ha habeis haber habia habiamos habian habias habra habran habre
    habria habrian hace haceis hacemos hacen hacer haces hacia hago han has hasta hay haya hayan
    he hecho hemos hizo hubo incluso la las le les lo los luego mas me mediante menos mi mia mias
    mientras mio mios mis misma mismas mismo mismos mucha muchas mucho muchos muy nada nadie ni
    ningun ninguna ningunas ninguno ningunos no nos nosotras nosotros nuestra nuestras nuestro
    nuestros nunca o os otra otras otro otros para pero poca pocas poco pocos podeis podemos poder
    podia podian podra podria podrian pone ponen poner por porque pues puede pueden puedo que
    quien quienes se sea sean seas segun ser sera seran seria serian si sido siempre siendo sin
    sino so sobre sois solo somos son soy su sus suya suyas suyo suyos tal tambien tampoco tan
    tanta tantas tanto tantos te tendra tendran tendre tendria tenemos tener tenga tengan tengo
    tenia tenian tiene tienen ti todavia toda todas todo todos tras tu tus tuve tuvo tuya tuyas
    tuyo tuyos u un una unas uno unos usted ustedes va vais vamos van vas vaya vayan voy vosotras
    vosotros vuestra vuestras vuestro vuestros y ya yo
    ahi ahora alrededor apenas arriba abajo adelante atras ayer hoy mañana tarde pronto luego
    mejor peor tal vez quiza quizas acaso ademas incluso igual igualmente aproximadamente
    dice dicen decir dijo digo dije da dan dar dado doy hacia hagan haga hecha hechos
    sale salen ver veo ves vemos ven visto vi vio sabe saben saber se sabia quiere quieren
    quiero queria creo cree creen parece pasa paso deja dejar sigue siguen seguir toca
    vez veces cosa cosas algo gente dia dias año años mes meses semana parte tipo forma caso
    primero primera segundo segunda ultimo ultima ultimos ultimas nuevo nueva nuevos nuevas
    gran grande grandes buen buena buenas bueno buenos mal mala malo solo sola sobre todo
    aqui alla aca oye mira vale bueno pues eh oh ah ay uf hola adios gracias porfa porfavor
    favor claro verdad tio tia osea tb tmb xq pq q k d x
    estais estariamos fuesen hubiera hubieran hubiese tuviera tuvieran tuviese quisiera
    dentro fuera cerca lejos delante detras junto segun mediante excepto salvo via
    eso esto aquello cuyo cuya cuyos cuyas demasiados demasiadas varios varias
    nadie alguien cualesquiera quienquiera dondequiera
    """

# English function words, folded the same way (apostrophes as ').
_ENGLISH = """
    a about above after again against ago all almost along already also although always am among
    an and another any anybody anyone anything anyway anywhere are aren't around as at away back
    be became because become been before being below beside besides between beyond both but by
    can can't cannot could couldn't did didn't do does doesn't doing don't done down during each
    either else enough even ever every everybody everyone everything everywhere few for from
    further get gets getting got gotten had hadn't has hasn't have haven't having he he'd he'll
    he's her here here's hers herself him himself his how how's however i i'd i'll i'm i've if
    in into is isn't it it's its itself just least less let let's like likely made make makes
    many may maybe me might mine more most mostly much must mustn't my myself near neither never
    next no nobody none nor not nothing now nowhere of off often oh ok okay on once one ones only
    onto or other others otherwise ought our ours ourselves out over own per perhaps please quite
    rather really said same say says see seen seem seemed seems she she'd she'll she's should
    shouldn't since so some somebody someone something sometimes somewhere still such than that
    that's the their theirs them themselves then there there's these they they'd they'll they're
    they've thing things this those though through thus till to together too toward towards
    under unless until up upon us use used using very via was wasn't we we'd we'll we're we've
    well went were weren't what what's whatever when whenever where where's wherever whether
    which while who who's whoever whole whom whose why will with within without won't would
    wouldn't yes yet you you'd you'll you're you've your yours yourself yourselves
    today tomorrow yesterday tonight day days week weeks year years time times new old good great
    best better bad worse lot lots bit little big really actually literally pretty going gonna
    gotta wanna come comes came go goes gone know knew knows think thought want wants wanted
    take takes took look looks looked need needs needed give gives gave tell told thank thanks
    hello hey hi yeah yep nope lol omg btw imo fyi pls plz via amp etc
    first second last next every much many several various within across around
    """

STOP_WORDS = frozenset(fold(word) for word in (_SPANISH + _ENGLISH).split())


def _countable(key: str) -> str | None:
    """The key to count for a folded word, or None when it is not a topic."""
    if key in STOP_WORDS:
        return None
    if "'" in key:
        key = _POSSESSIVE_RE.sub("", key)
        if "'" in key or key in STOP_WORDS:
            return None  # a contraction that is not a stop-word is still not a topic ("y'all")
    if not MIN_LENGTH <= len(key) <= MAX_LENGTH or (key[0] in "jhlx" and _LAUGHTER_RE.match(key)):
        return None
    return key


def terms(text: str) -> set[str]:
    """The distinct terms of one text (folded keys), as counted by the term rollup.

    Called for every new mention at ingest, so it folds the whole text once and reads it in a
    single regex pass.
    """
    found = set()
    for word in _TOKEN_RE.findall(fold(text or "")):
        if word and word not in found:
            key = _countable(word)
            if key:
                found.add(key)
    return found


_SENTENCE_START_RE = re.compile(r"(?:^|[.!?¡¿:«\"(\n])[\s\W]*$")


def _written(text: str):
    """Yield (word as written, folded key, whether its case means anything) for every countable
    word of ``text``: a capital at the start of a sentence ("Genial la noche…") says nothing."""
    for match in _TOKEN_RE.finditer(text or ""):
        word = match.group(1)
        if not word:
            continue
        key = _countable(fold(word))
        if key:
            starts_sentence = _SENTENCE_START_RE.search(text, 0, match.start()) is not None
            yield _POSSESSIVE_RE.sub("", word), key, not starts_sentence


def surface_form(texts, key: str) -> str | None:
    """How ``key`` is usually written in ``texts``: the commonest spelling (accents) and, within it,
    the commonest case where the case means something; lower case otherwise."""
    spellings, cases = Counter(), Counter()
    for text in texts:
        for word, folded, case_known in _written(text):
            if folded == key:
                spellings[word.lower()] += 1
                if case_known:
                    cases[word] += 1
    if not spellings:
        return None
    spelling = spellings.most_common(1)[0][0]
    known = [(count, word == spelling, word) for word, count in cases.items() if word.lower() == spelling]
    return max(known)[2] if known else spelling


HASHTAG_WRITTEN_RE = re.compile(r"(?<!\w)#(\w{2,100})")


def hashtag_surface_form(texts, tag: str) -> str | None:
    """The most frequent way the hashtag ``tag`` (case-folded) is written, e.g. "ClubDeLectura"."""
    written = Counter(
        match for text in texts for match in HASHTAG_WRITTEN_RE.findall(text or "") if match.casefold() == tag
    )
    return written.most_common(1)[0][0] if written else None
