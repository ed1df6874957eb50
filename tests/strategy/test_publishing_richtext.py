"""Bluesky facets: links, mentions and hashtags located by UTF-8 byte offsets."""

from strategy.publishing.richtext import facets_for


def _slices(text, facets):
    encoded = text.encode("utf-8")
    return [
        (
            facet["features"][0]["$type"].rsplit("#", 1)[1],
            encoded[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode(),
        )
        for facet in facets
    ]


def test_it_counts_bytes_not_characters_after_emoji_and_accents():
    text = "Día 📚 #lectura"

    [facet] = facets_for(text, lambda handle: None)

    # "Día " is 5 bytes (í takes 2), the emoji 4 and the space 1: the tag starts at byte 10, not at character 6.
    assert facet["index"] == {"byteStart": 10, "byteEnd": 18}
    assert facet["features"] == [{"$type": "app.bsky.richtext.facet#tag", "tag": "lectura"}]


def test_it_finds_links_mentions_and_tags_and_leaves_their_punctuation_out():
    text = (
        "Ñandú 👩🏽‍💻 vuelve (más info: https://ejemplo.org/a_(b)). Con @ana.bsky.social, "
        "#ClubDeLectura, #2026 #año2026! https://x.org/#frag"
    )

    facets = facets_for(text, lambda handle: "did:plc:ana" if handle == "ana.bsky.social" else None)

    assert _slices(text, facets) == [
        ("link", "https://ejemplo.org/a_(b)"),
        ("mention", "@ana.bsky.social"),
        ("tag", "#ClubDeLectura"),
        ("tag", "#año2026"),  # "#2026" is only digits: not a tag
        ("link", "https://x.org/#frag"),  # the fragment is part of the link, not a tag
    ]
    assert facets[1]["features"] == [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:ana"}]
    assert facets[0]["features"][0]["uri"] == "https://ejemplo.org/a_(b)"


def test_it_skips_a_handle_that_does_not_resolve_and_ignores_e_mail_addresses():
    asked = []

    def resolve(handle):
        asked.append(handle)
        return None

    text = "Escribe a info@biblioteca.example o a @nadie.example"

    assert facets_for(text, resolve) == []
    assert asked == ["nadie.example"]


def test_a_mastodon_style_mention_is_not_a_bluesky_mention():
    assert facets_for("Gracias @ana@mastodon.social", lambda handle: "did:plc:x") == []
