"""The in-app guide: docs/guide/<lang>/<page>.md rendered as pages for logged-in users.

The Markdown is written by us, not by users, but HTML in it is still disabled so a page can never
carry a script. Two link schemes keep the pages independent of any one organisation:
``app:<url-name>[?query][#anchor]`` points at a page of the reader's organisation, and
``guide:<page>[#anchor]`` at another guide page.
"""

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from markdown_it import MarkdownIt

from mesm.models import Membership
from mesm.tenancy import org_view

GUIDE_DIR = Path(settings.BASE_DIR) / "docs" / "guide"
# In reading order; the slugs are the same in every language so links and bookmarks survive a switch.
PAGES = ("getting-started", "objectives", "listening", "conversation", "metrics", "learning", "roles")
FALLBACK_LANGUAGE = "en"
# Ids the base layout already uses: a heading must not take them.
RESERVED_IDS = {"main", "org-switcher", "guide-toc-title", "guide-pages-title"}


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    # Wide tables scroll inside their own box on a phone instead of the whole page.
    md.add_render_rule("table_open", lambda self, tokens, idx, options, env: '<div class="table-wrap"><table>\n')
    md.add_render_rule("table_close", lambda self, tokens, idx, options, env: "</table></div>\n")
    return md


MD = _markdown()


def guide_file(page: str, language: str | None = None) -> tuple[Path, str]:
    """The Markdown file of ``page`` in ``language`` (English when that file is missing), and its language."""
    language = (language or get_language() or FALLBACK_LANGUAGE).split("-")[0]
    for lang in (language, FALLBACK_LANGUAGE):
        candidate = GUIDE_DIR / lang / f"{page}.md"
        if candidate.is_file():
            return candidate, lang
    raise Http404(f"No guide page {page}")


@lru_cache(maxsize=64)
def _parse(file: Path, mtime: float):
    return MD.parse(file.read_text(encoding="utf-8"))


def _resolve(href: str, org_slug: str | None) -> str | None:
    """The address of an ``app:`` or ``guide:`` link; None when it cannot be given (no organisation)."""
    scheme, _, rest = href.partition(":")
    if scheme not in ("app", "guide"):
        return href
    suffix = ""
    for mark in ("#", "?"):
        if mark in rest:
            rest, tail = rest.split(mark, 1)
            suffix = mark + tail + suffix
    kwargs = {"org_slug": org_slug} if org_slug else {}
    if scheme == "guide":
        return reverse("guide-index" if rest == "index" else f"guide-{rest}", kwargs=kwargs) + suffix
    if org_slug is None:
        return None
    return reverse(rest, kwargs=kwargs) + suffix


def render_page(page: str, *, org_slug: str | None = None, language: str | None = None) -> dict:
    """Render a guide page: {"title", "html", "toc": [(level, id, text)], "language", "summary"}.

    Raises NoReverseMatch when the page links to an app page that does not exist (the tests read
    every page, so a renamed URL is caught there rather than by a reader).
    """
    file, lang = guide_file(page, language)
    tokens = _parse(file, file.stat().st_mtime)
    title, summary, toc, used, out = "", "", [], set(RESERVED_IDS), []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open" and token.tag == "h1" and not title:
            title = tokens[i + 1].content
            i += 3  # the page's title goes in the page head, not in the body
            continue
        if token.type == "paragraph_open" and not summary:
            summary = tokens[i + 1].content
            i += 3  # the first paragraph is the page's summary: the page head's lead, and the index's
            continue
        if token.type == "heading_open":
            text = "".join(child.content for child in tokens[i + 1].children or [])
            base = slugify(text) or "section"
            anchor, n = base, 2
            while anchor in used:
                anchor, n = f"{base}-{n}", n + 1
            used.add(anchor)
            token = token.copy(attrs=dict(token.attrs))  # the parsed tokens are cached: never change them
            token.attrSet("id", anchor)
            if token.tag in ("h2", "h3"):
                toc.append((int(token.tag[1]), anchor, text))
        if token.type == "th_open":
            token = token.copy(attrs=dict(token.attrs))
            token.attrSet("scope", "col")
        if token.type == "inline" and token.children:
            token = token.copy()
            token.children = _links(token.children, org_slug)
        out.append(token)
        i += 1
    html = MD.renderer.render(out, MD.options, {})
    return {"title": title, "html": html, "toc": toc, "language": lang, "summary": summary}


def _links(children, org_slug):
    result, dropped = [], 0
    for child in children:
        if child.type == "link_open":
            href = _resolve(child.attrGet("href") or "", org_slug)
            if href is None:
                dropped += 1  # without an organisation the words stay, the link goes
                continue
            child = child.copy(attrs=dict(child.attrs))
            child.attrSet("href", href)
        elif child.type == "link_close" and dropped:
            dropped -= 1
            continue
        result.append(child)
    return result


def _render(request, page, org_slug):
    if page is not None and page not in PAGES:
        raise Http404
    kwargs = {"org_slug": org_slug} if org_slug else {}
    pages = [
        {"slug": slug, "url": reverse(f"guide-{slug}", kwargs=kwargs), **render_page(slug, org_slug=org_slug)}
        for slug in PAGES
    ]
    context = {"pages": pages, "index_url": reverse("guide-index", kwargs=kwargs)}
    if page is None:
        return render(request, "guide/index.html", context)
    position = PAGES.index(page)
    context.update(
        page=pages[position],
        previous=pages[position - 1] if position else None,
        next=pages[position + 1] if position + 1 < len(pages) else None,
    )
    return render(request, "guide/page.html", context)


@login_required
def guide(request, page=None):
    """The guide outside any organisation: readers with one go to their (first) organisation's copy."""
    membership = Membership.objects.filter(user=request.user).select_related("org").order_by("org__name").first()
    if membership is not None:
        name = "guide-index" if page is None else f"guide-{page}"
        return redirect(name, org_slug=membership.org.slug)
    return _render(request, page, None)


@org_view()
def org_guide(request, page=None):
    """The guide inside an organisation: its links lead to that organisation's pages."""
    return _render(request, page, request.org.slug)


def _patterns(view):
    return [
        path("", view, name="guide-index"),
        *[path(f"{slug}/", view, {"page": slug}, name=f"guide-{slug}") for slug in PAGES],
    ]


urlpatterns = _patterns(guide)
org_urlpatterns = _patterns(org_guide)
