"""The listening query language: parsing, plain-words errors and the compiled matcher."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listening.query import (
    Account,
    And,
    Hashtag,
    Not,
    Or,
    Phrase,
    QueryError,
    Word,
    compile_query,
    normalise,
    parse,
    positive_terms,
    prepare,
    unparse,
    validate_expression,
)

# The package's own autouse fixture (Redis clean-up) is function-scoped; hypothesis tests here
# never touch Redis, so running them many times within one fixture call is fine.
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True)
def _english():
    # The site defaults to Spanish; error texts are asserted in English.
    with translation.override("en"):
        yield


def matches(expression, text, **post):
    return compile_query(expression).matches(text, **post)


def error_of(expression):
    with pytest.raises(QueryError) as caught:
        parse(expression)
    return caught.value


# --- Parsing ----------------------------------------------------------------------------


def w(text, prefix=False):
    return Word(text, prefix)


def test_it_binds_not_tighter_than_and_and_and_tighter_than_or():
    assert parse("a OR b c") == Or((w("a"), And((w("b"), w("c")))))
    assert parse("a b OR c") == Or((And((w("a"), w("b"))), w("c")))
    assert parse("NOT a b") == And((Not(w("a")), w("b")))
    assert parse("NOT a OR b") == Or((Not(w("a")), w("b")))
    assert parse("a OR NOT b AND c") == Or((w("a"), And((Not(w("b")), w("c")))))


def test_it_reads_adjacent_terms_as_and():
    assert parse("a b c") == parse("a AND b AND c") == And((w("a"), w("b"), w("c")))
    assert parse('(a OR b)(c OR d) "x y"') == And(
        (Or((w("a"), w("b"))), Or((w("c"), w("d"))), Phrase((w("x"), w("y"))))
    )


def test_it_lets_parentheses_override_precedence():
    assert parse("(a OR b) c") == And((Or((w("a"), w("b"))), w("c")))
    assert parse("NOT (a OR b)") == Not(Or((w("a"), w("b"))))


def test_it_treats_lower_case_operators_as_words():
    assert parse("libros and cuentos") == And((w("libros"), w("and"), w("cuentos")))
    assert parse("not or") == And((w("not"), w("or")))


def test_it_reads_a_leading_hyphen_as_not():
    assert parse("biblioteca -cerrada") == And((w("biblioteca"), Not(w("cerrada"))))
    assert parse('-"club de lectura" -#cerrado -@ana -(a b)') == And(
        (
            Not(Phrase((w("club"), w("de"), w("lectura")))),
            Not(Hashtag("cerrado")),
            Not(Account("ana")),
            Not(And((w("a"), w("b")))),
        )
    )


def test_it_accepts_typographic_quotes_around_phrases():
    phrase = Phrase((w("club"), w("de"), w("lectura")))
    assert parse("“club de lectura”") == parse("«club de lectura»") == parse('"club de lectura»') == phrase
    assert parse("a«b c»") == And((w("a"), Phrase((w("b"), w("c")))))
    assert error_of("a «club de").message == "Unclosed quotation mark at position 3."


def test_it_keeps_a_hyphen_inside_a_word_as_a_phrase():
    assert parse("e-book") == Phrase((w("e"), w("book")))
    assert matches("e-book", "Nuevos E-Book en préstamo")
    assert matches("e-book", "un e book")
    assert not matches("e-book", "ebook")


def test_it_parses_terms_into_normalised_nodes():
    assert parse("Bibliotéca") == w("biblioteca")
    assert parse("bibliotec*") == w("bibliotec", prefix=True)
    assert parse('"Club de LECTURA"') == Phrase((w("club"), w("de"), w("lectura")))
    assert parse("#BibliotecaPública") == Hashtag("bibliotecapublica")
    assert parse("#lectur*") == Hashtag("lectur", prefix=True)
    assert parse("@BibliotecaDemo") == Account("bibliotecademo")
    assert parse("@user@Mastodon.Social") == Account("user@mastodon.social")


@pytest.mark.parametrize(
    "expression",
    ["biblioteca", 'a OR "b c" -#d @e@f.g', "NOT (a OR b) c*", "(a OR b) (c OR NOT d)", "NOT NOT a", "a (b c)"],
)
def test_it_writes_a_tree_back_as_an_equivalent_expression(expression):
    assert parse(unparse(parse(expression))) == parse(expression)


def test_it_lists_the_positive_terms_as_written():
    expression = 'Biblioteca "club  de lectura" -libros NOT (cerrado OR NOT #Feria) e-book bibliotec* @ana Biblioteca'
    assert positive_terms(expression) == ["Biblioteca", '"club de lectura"', "#Feria", "e-book", "bibliotec*", "@ana"]


def test_positive_terms_rejects_invalid_expressions():
    with pytest.raises(QueryError):
        positive_terms("a AND")


# --- Matching ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "text"),
    [
        ("biblioteca", "La Bibliotéca abre hoy"),
        ("biblioteca", "LA BIBLIOTECA ABRE HOY"),
        ("Bibliotéca", "la biblioteca"),
        ("niño", "Cuentos para nino"),
        ("nino", "Cuentos para NIÑOS y un NIÑO"),
        ("straße", "Strasse"),
        ("ﬁesta", "fiesta"),
        ("cafe", "cafe\u0301 literario"),  # decomposed accent, as some platforms send it
    ],
)
def test_it_ignores_case_and_accents(expression, text):
    assert matches(expression, text)


def test_it_matches_whole_words_only():
    assert matches("biblioteca", "¡Viva la biblioteca!")
    assert not matches("biblioteca", "El bibliotecario")
    assert not matches("biblioteca", "labiblioteca")
    assert matches("ajuntament", "Gràcies a l'Ajuntament")
    assert matches("biblioteca", "biblioteca_publica")


def test_it_matches_a_trailing_wildcard_as_a_prefix():
    assert matches("bibliotec*", "El bibliotecario")
    assert matches("bibliotec*", "La biblioteca")
    assert matches("bibliotec*", "bibliotec")
    assert not matches("bibliotec*", "labiblioteca")
    assert not matches("bibliotec*", "biblio")


def test_it_matches_phrases_as_consecutive_words():
    assert matches('"club de lectura"', "Nuevo Club de Lectura, ¡apúntate!")
    assert matches('"club de lectura"', "club. De: lectura")  # punctuation does not break a phrase
    assert not matches('"club de lectura"', "club de la lectura")
    assert not matches('"club de lectura"', "lectura de club")
    assert not matches('"gracias por"', "gracias @ana por venir")  # a mention does
    assert matches('"club de lect*"', "club de lectores")
    assert not matches('"club de lect*"', "club de la lectura")


def test_it_matches_hashtags():
    assert matches("#BibliotecaPública", "Hoy en la #bibliotecapublica")
    assert matches("#bibliotecapublica", "Hoy en la #BibliotecaPública")
    assert not matches("#biblioteca", "Hoy en la biblioteca")
    assert matches("biblioteca", "Hoy en la #biblioteca")  # the hashtag's text is also a word
    assert not matches("#sharp", "Programar en C#sharp")  # "#" glued to a word is no hashtag
    assert matches("#lectur*", "#LecturaFácil")
    assert matches("#feria", "Sin hashtags en el texto", hashtags=["Feria"])
    assert matches("#feria", "Sin hashtags en el texto", hashtags=["#feria"])
    assert not matches("feria", "Sin hashtags en el texto", hashtags=["feria"])


def test_it_matches_accounts_by_author_or_mention():
    assert matches("@bibliotecademo", "Hola", author_handle="BibliotecaDemo")
    assert matches("@bibliotecademo", "Hola", author_handle="@bibliotecademo")
    assert matches("@bibliotecademo", "Gracias @BibliotecaDemo.")
    assert matches("@user", "Hola", author_handle="user@instance.social")
    assert matches("@user", "Gracias @user@instance.social")
    assert matches("@user@instance.social", "Gracias @user@instance.social!")
    assert not matches("@user@instance.social", "Gracias @user@otra.social")
    assert not matches("@user@instance.social", "Hola", author_handle="user")
    assert matches("@bibliotecademo", "Hola", author_handle="bibliotecademo.bsky.social")
    assert not matches("@biblioteca", "Escribe a info@biblioteca.es")  # an e-mail is no mention
    assert not matches("@bibliotecademo", "la bibliotecademo")


def test_it_combines_operators_when_matching():
    query = compile_query("biblioteca (taller OR cuento*) -cerrada")
    assert query.matches("Taller en la biblioteca")
    assert query.matches("Cuentos en la biblioteca")
    assert not query.matches("Taller en la biblioteca, cerrada por obras")
    assert not query.matches("Taller en el museo")


def test_it_checks_a_prepared_post_against_many_queries():
    prepared = prepare("Club de lectura en la #Biblioteca con @ana", author_handle="luis", hashtags=["Verano"])
    results = {
        expression: compile_query(expression).matches_prepared(prepared)
        for expression in ['"club de lectura"', "#verano", "@luis OR @pepe", "#biblioteca -ana", "NOT @ana", "museo"]
    }
    assert results == {
        '"club de lectura"': True,
        "#verano": True,
        "@luis OR @pepe": True,
        "#biblioteca -ana": True,
        "NOT @ana": False,
        "museo": False,
    }


def test_it_compiles_each_expression_once():
    assert compile_query("biblioteca OR libros") is compile_query("biblioteca OR libros")


# --- Errors -----------------------------------------------------------------------------


def test_it_rejects_an_empty_query():
    for expression in ("", "   \n\t"):
        error = error_of(expression)
        assert error.message == "The expression is empty."
        assert error.position is None


def test_it_rejects_a_query_of_only_operators():
    error = error_of("  AND OR NOT")
    assert error.message == "The expression has only operators (AND, OR, NOT) and nothing to search for."
    assert error.position == 2


def test_it_rejects_a_query_with_unbalanced_parentheses():
    error = error_of("(biblioteca OR (libros)")
    assert error.message == "Unbalanced parenthesis: the “(” at position 1 is never closed."
    assert error.position == 0
    error = error_of("a OR (b (c)")
    assert error.message == "Unbalanced parenthesis: the “(” at position 6 is never closed."


def test_it_rejects_a_query_with_a_closing_parenthesis_that_was_never_opened():
    error = error_of("biblioteca) OR (libros)")
    assert error.message == "Unbalanced parenthesis: the “)” at position 11 has no matching “(”."
    assert error.position == 10


def test_it_rejects_empty_parentheses():
    error = error_of("biblioteca ( )")
    assert error.message == "The parentheses at position 12 are empty."
    assert error.position == 11


@pytest.mark.parametrize(
    ("expression", "message", "position"),
    [
        ("biblioteca AND", "“AND” at position 12 has nothing after it.", 11),
        ("biblioteca OR", "“OR” at position 12 has nothing after it.", 11),
        ("biblioteca NOT", "“NOT” at position 12 has nothing after it.", 11),
        ("(a OR) b", "“OR” at position 4 has nothing after it.", 3),
        ("a (b NOT)", "“NOT” at position 6 has nothing after it.", 5),
        ("a -)", "“-” at position 3 has no letters or digits to search for.", 2),
        ("AND biblioteca", "“AND” at position 1 has nothing before it.", 0),
        ("a (OR b)", "“OR” at position 4 has nothing before it.", 3),
        (
            "a AND OR b",
            "“AND” at position 3 is directly followed by “OR”; put a word or phrase between them.",
            2,
        ),
        (
            "NOT AND a",
            "“NOT” at position 1 is directly followed by “AND”; put a word or phrase between them.",
            0,
        ),
        ("-AND a", "“-” at position 1 is directly followed by “AND”; put a word or phrase between them.", 0),
    ],
)
def test_it_rejects_a_dangling_operator(expression, message, position):
    error = error_of(expression)
    assert (error.message, error.position) == (message, position)


def test_it_rejects_an_unclosed_quotation_mark():
    error = error_of('biblioteca "club de lectura')
    assert error.message == "Unclosed quotation mark at position 12."
    assert error.position == 11


def test_it_rejects_an_empty_phrase():
    for expression in ('a ""', 'a " ¡! "'):
        error = error_of(expression)
        assert error.message == "The quoted phrase at position 3 has no words in it."
        assert error.position == 2


@pytest.mark.parametrize(
    ("expression", "message", "position"),
    [
        ("a bib*ca", "The “*” at position 6 must come at the end of a word, as in bibliotec*.", 5),
        ('"club de l**"', "The “*” at position 11 must come at the end of a word, as in bibliotec*.", 10),
        ("a *", "“*” at position 3 has no letters or digits to search for.", 2),
        ("a ¡!", "“¡!” at position 3 has no letters or digits to search for.", 2),
        ("a #", "“#” at position 3 is not a valid hashtag: after “#” use only letters, digits and “_”.", 2),
        (
            "#club-lectura",
            "“#club-lectura” at position 1 is not a valid hashtag: after “#” use only letters, digits and “_”.",
            0,
        ),
        ("a @", "“@” at position 3 is not a valid account: write it as @name or @name@server.", 2),
        ("@ana@@x", "“@ana@@x” at position 1 is not a valid account: write it as @name or @name@server.", 0),
    ],
)
def test_it_rejects_malformed_terms(expression, message, position):
    error = error_of(expression)
    assert (error.message, error.position) == (message, position)


def test_it_rejects_a_query_nested_too_deeply():
    error = error_of("(" * 20 + "NOT " * 12 + "-a" + ")" * 20)
    assert error.message == (
        "The expression is nested too deeply at position 69: use at most 32 levels of parentheses and NOT."
    )
    assert error.position == 68
    assert parse("(" * 16 + "NOT " * 16 + "a" + ")" * 16) is not None


def test_it_matches_long_lists_of_alternatives():
    query = compile_query(" OR ".join(f'"libro {number}"' for number in range(3000)))
    assert query.matches("el libro 2999")
    assert not query.matches("el libro 3000")
    assert compile_query(" ".join(f"-#t{number}" for number in range(3000))).matches("nada")


def test_it_cuts_long_terms_short_in_messages():
    error = error_of("a " + "!" * 100)
    assert error.message == "“" + "!" * 39 + "…” at position 3 has no letters or digits to search for."


def test_validate_expression_raises_a_validation_error_with_the_message():
    validate_expression("biblioteca OR libros")
    with pytest.raises(ValidationError) as caught:
        validate_expression("biblioteca OR")
    assert caught.value.messages == ["“OR” at position 12 has nothing after it."]
    assert caught.value.code == "invalid_query"


def test_it_translates_messages_when_they_are_raised():
    with translation.override("es"):
        assert error_of("").message == "La expresión está vacía."
        assert error_of("a AND").message == "“AND” en la posición 3 no tiene nada detrás."
    assert error_of("").message == "The expression is empty."


# --- Properties -------------------------------------------------------------------------
# Posts are generated as (kind, value) items whose normalised tokens are known by construction,
# and then written out with random case, accents and punctuation; the reference evaluation below
# reads the known tokens, so it shares no tokenising or normalising code with the matcher.

VOCABULARY = ["biblioteca", "bibliotecario", "libro", "libros", "nino", "lectura", "club", "de", "and", "not"]
STEMS = ["bibliotec", "libro", "lect", "ni", "club"]
HANDLES = ["ana", "ana@mastodon.social", "luis.bsky.social", "pepe@otra.org", "bibliotecademo"]
QUERY_HANDLES = ["ana", "ana@mastodon.social", "ana@otra.org", "luis", "luis.bsky.social", "pepe", "bibliotecademo"]
# Phrases that posts often contain, so that phrase queries sometimes match.
PHRASES = [("club", "de", "lectura"), ("libros", "de", "nino", "and", "biblioteca")]
ACCENTS = {"a": "\u0301", "e": "\u0301", "i": "\u0301", "o": "\u0301", "u": "\u0308", "n": "\u0303"}


@st.composite
def surfaces(draw, word):
    """``word`` written with random case and accents, composed or not."""
    chars = []
    for char in word:
        if draw(st.booleans()):
            char = char.upper()
        if char.lower() in ACCENTS and draw(st.integers(0, 3)) == 0:
            char += ACCENTS[char.lower()]
        chars.append(char)
    written = unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), "".join(chars))
    if written.upper() in ("AND", "OR", "NOT"):
        written = written.lower()  # upper case would make it an operator
    return written


post_items = st.one_of(
    st.tuples(st.just("word"), st.sampled_from(VOCABULARY)),
    st.tuples(st.just("phrase"), st.sampled_from(PHRASES)),
    st.tuples(st.just("hashtag"), st.sampled_from(VOCABULARY)),
    st.tuples(st.just("mention"), st.sampled_from(HANDLES)),
)


@st.composite
def posts(draw):
    items = []
    for kind, value in draw(st.lists(post_items, max_size=10)):
        items += [("word", word) for word in value] if kind == "phrase" else [(kind, value)]
    text = draw(st.sampled_from(["", "¡", "("]))
    tokens, hashtags, handles = [], set(), []
    for index, (kind, value) in enumerate(items):
        if index:
            glued = kind == "word" and items[index - 1][0] == "word"
            text += draw(
                st.sampled_from([" ", ", ", ". ", "! ", " (", ") ", "\n", " — "] + (["-", "'"] if glued else []))
            )
        if kind == "word":
            text += draw(surfaces(value))
            tokens.append(value)
        elif kind == "hashtag":
            text += "#" + draw(surfaces(value))
            tokens.append(value)
            hashtags.add(value)
        else:
            text += "@" + value
            tokens.append(None)  # a mention takes a place in the sequence but is no word
            handles.append(value)
    text += draw(st.sampled_from(["", ".", "!", " :)"]))
    author = draw(st.sampled_from(["", "ana", "@Ana@Mastodon.social", "luis.bsky.social", "BibliotecaDemo"]))
    listed = draw(st.lists(st.sampled_from(VOCABULARY), max_size=2))
    hashtags.update(listed)
    if author:
        handles.append(author.lower().lstrip("@"))
    post = {
        "text": text,
        "author_handle": author,
        "hashtags": [draw(st.sampled_from(["", "#"])) + tag for tag in listed],
    }
    return post, (tokens, hashtags, handles)


@st.composite
def phrase_slices(draw):
    """Two or more consecutive words of a known phrase, some of them cut short with "*"."""
    phrase = draw(st.sampled_from(PHRASES))
    start = draw(st.integers(0, len(phrase) - 2))
    end = draw(st.integers(start + 2, len(phrase)))
    words = []
    for word in phrase[start:end]:
        cut = draw(st.integers(0, len(word)))
        words.append((word[: max(cut, 1)], True) if cut < len(word) else (word, False))
    return tuple(words)


terms = st.one_of(
    st.tuples(st.just("word"), st.sampled_from(VOCABULARY), st.just(False)),
    st.tuples(st.just("word"), st.sampled_from(STEMS), st.just(True)),
    st.tuples(
        st.just("phrase"),
        st.lists(st.tuples(st.sampled_from(VOCABULARY + STEMS), st.booleans()), min_size=2, max_size=3).map(tuple),
    ),
    st.tuples(st.just("phrase"), phrase_slices()),
    st.tuples(st.just("hashtag"), st.sampled_from(VOCABULARY + STEMS), st.booleans()),
    st.tuples(st.just("account"), st.sampled_from(QUERY_HANDLES)),
)
trees = st.recursive(
    terms,
    lambda children: st.one_of(
        st.tuples(st.just("not"), children),
        st.tuples(st.sampled_from(["and", "or"]), st.lists(children, min_size=2, max_size=3).map(tuple)),
    ),
    max_leaves=8,
)
BINDING = {"or": 1, "and": 2, "not": 3}


@st.composite
def rendered(draw, tree, context=0):
    """``tree`` as query text, with only the parentheses precedence needs (plus some extra)."""
    kind = tree[0]
    if kind == "word":
        return draw(surfaces(tree[1])) + ("*" if tree[2] else "")
    if kind == "phrase":
        return '"' + " ".join(draw(surfaces(word)) + ("*" if prefix else "") for word, prefix in tree[1]) + '"'
    if kind == "hashtag":
        return "#" + draw(surfaces(tree[1])) + ("*" if tree[2] else "")
    if kind == "account":
        return "@" + tree[1]
    binding = BINDING[kind]
    if kind == "not":
        text = draw(st.sampled_from(["NOT ", "-"])) + draw(rendered(tree[1], binding))
    else:
        parts = [draw(rendered(child, binding + 1)) for child in tree[1]]
        text = parts[0]
        for part in parts[1:]:
            text += " OR " if kind == "or" else draw(st.sampled_from([" AND ", " "]))
            text += part
    return f"({text})" if binding < context or draw(st.integers(0, 5)) == 0 else text


def reference(tree, truth):
    tokens, hashtags, handles = truth

    def word_matches(token, word, prefix):
        return token is not None and (token.startswith(word) if prefix else token == word)

    kind = tree[0]
    if kind == "word":
        return any(word_matches(token, tree[1], tree[2]) for token in tokens)
    if kind == "phrase":
        words = tree[1]
        return any(
            all(word_matches(tokens[start + k], word, prefix) for k, (word, prefix) in enumerate(words))
            for start in range(len(tokens) - len(words) + 1)
        )
    if kind == "hashtag":
        return any(tag.startswith(tree[1]) if tree[2] else tag == tree[1] for tag in hashtags)
    if kind == "account":
        wanted = tree[1]
        return any(wanted in (handle, handle.split("@")[0], handle.split("@")[0].split(".")[0]) for handle in handles)
    if kind == "not":
        return not reference(tree[1], truth)
    results = [reference(child, truth) for child in tree[1]]
    return all(results) if kind == "and" else any(results)


FRAGMENTS = [
    "a",
    "b",
    " ",
    "(",
    ")",
    '"',
    "AND",
    "OR",
    "NOT",
    "-",
    "*",
    "#",
    "@",
    "é",
    "x@y",
    "_",
    "\u0301",
    "ǅ",
    "“",
    "”",
    "«",
    "»",
]


@PROPERTY
@given(st.one_of(st.text(), st.lists(st.sampled_from(FRAGMENTS)).map("".join)))
def test_parse_raises_nothing_but_query_errors(expression):
    try:
        parse(expression)
    except QueryError as error:
        assert error.message and "%(" not in error.message
        assert error.position is None or 0 <= error.position < len(expression)


@PROPERTY
@given(st.data(), trees, posts())
def test_the_matcher_agrees_with_a_reference_evaluation(data, tree, post):
    expression = data.draw(rendered(tree))
    post, truth = post
    assert compile_query(expression).matches(**post) == reference(tree, truth), expression


@PROPERTY
@given(st.data(), trees, trees, posts())
def test_or_and_not_combine_like_booleans(data, left, right, post):
    a, b = data.draw(rendered(left)), data.draw(rendered(right))
    post = post[0]
    prepared = prepare(post["text"], author_handle=post["author_handle"], hashtags=post["hashtags"])
    a_matches = compile_query(a).matches_prepared(prepared)
    b_matches = compile_query(b).matches_prepared(prepared)
    assert compile_query(f"({a}) OR ({b})").matches_prepared(prepared) == (a_matches or b_matches)
    assert compile_query(f"({a}) ({b})").matches_prepared(prepared) == (a_matches and b_matches)
    assert compile_query(f"NOT ({a})").matches_prepared(prepared) == (not a_matches)
    assert compile_query(f"-({a})").matches_prepared(prepared) == (not a_matches)


@PROPERTY
@given(st.data(), trees)
def test_a_parsed_tree_survives_a_round_trip_through_text(data, tree):
    node = parse(data.draw(rendered(tree)))
    assert parse(unparse(node)) == node


@PROPERTY
@given(st.text())
def test_normalising_twice_changes_nothing(text):
    once = normalise(text)
    assert normalise(once) == once
    assert not any(unicodedata.category(char).startswith("M") for char in once)
