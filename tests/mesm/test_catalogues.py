"""Every user-facing string has a Spanish translation, none fuzzy, and the catalogue is current."""

from pathlib import Path

import polib
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_it_translates_every_message_to_spanish():
    po = polib.pofile(str(CATALOGUE))
    untranslated = [entry.msgid for entry in po.untranslated_entries() if not entry.obsolete]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def test_it_keeps_placeholders_in_translations():
    import re

    placeholder = re.compile(r"%\([a-z_]+\)s")
    po = polib.pofile(str(CATALOGUE))

    def names(text):
        return sorted(placeholder.findall(text))

    wrong = []
    for entry in po.translated_entries():
        if entry.msgid_plural:
            # Form 0 is the singular (it may leave the count out, like its msgid); the others plural.
            pairs = [
                (entry.msgid if index == 0 else entry.msgid_plural, text) for index, text in entry.msgstr_plural.items()
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        if any(names(source) != names(text) for source, text in pairs):
            wrong.append(entry.msgid)
    assert wrong == []


def test_the_compiled_catalogue_is_not_older_than_the_source():
    compiled = CATALOGUE.with_suffix(".mo")
    assert compiled.exists()
    po = polib.pofile(str(CATALOGUE))
    mo = polib.mofile(str(compiled))

    def table(entries):
        # Keyed by context too: one msgid may have several translations (e.g. "from … to …").
        return {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in entries if e.msgid}

    assert table(po.translated_entries()) == table(mo)


def test_no_translation_call_hides_inside_an_f_string():
    """xgettext cannot see gettext() inside f-string braces, so such strings never get translated."""
    import re

    pattern = re.compile(r"""\bf(["'])[^"'\n]*\{[^}\n]*\b(gettext|_|ngettext|pgettext)\(""")
    offenders = []
    for app in ("mesm", "strategy", "listening", "metrics", "learning"):
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{number}")
    assert offenders == []


def test_a_percentage_has_a_space_before_the_sign_in_spanish_and_none_in_english():
    from django.utils import translation

    from mesm.templatetags.mesm_tags import percent, percent_value

    with translation.override("es"):
        assert (percent(0.456), percent_value(45.6), percent(1.04)) == ("46 %", "46 %", "104 %")
    with translation.override("en"):
        assert (percent(0.456), percent_value(45.6), percent(1.04)) == ("46%", "46%", "104%")
    assert percent(None) == percent_value(None) == ""
