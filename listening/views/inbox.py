"""The mentions inbox: filter, search, read, assign, tag, answer and close."""

import hashlib
import logging
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from listening.api import stream_mentions_csv
from listening.models import Mention, MentionStatus, Query, Source
from listening.selectors import InboxFilterForm, MentionFilter, mentions_page
from listening.services import mentions as mention_services
from mesm.models import Role
from mesm.tenancy import get_scoped_or_404, org_view, scoped

PAGE_SIZE = 50

logger = logging.getLogger(__name__)


def _filtered(request):
    """Apply the filter bar to the organisation's mentions; returns (form, queryset).

    The form validates what people type (dates as whole days); the filtering itself is the
    API's ``MentionFilter``, so the inbox, the API and both CSV exports select the same rows.
    """
    form = InboxFilterForm(request.GET or None, org=request.org)
    queryset = scoped(Mention.objects.all(), request.org).select_related("assignee").defer("raw", "search_vector")
    if not form.is_valid():
        return form, queryset
    data = form.cleaned_data
    params = {name: data[name] for name in ("q", "platform", "sentiment", "language", "status", "author") if data[name]}
    if data["query"]:
        params["query"] = data["query"].pk
    if data["assignee"]:
        params["assignee"] = data["assignee"].pk
    # Dates are whole days in the organisation's time zone (activated by org_view).
    tz = timezone.get_current_timezone()
    if data["since"]:
        params["since"] = datetime.combine(data["since"], time.min, tz).isoformat()
    if data["until"]:
        params["until"] = (datetime.combine(data["until"], time.min, tz) + timedelta(days=1)).isoformat()
    return form, MentionFilter(params, queryset=queryset).qs


ROW_TEMPLATE = "listening/includes/mention_row.html"
ROW_TTL_SECONDS = 24 * 3600


def _row_key(mention, *, org, can_edit: bool) -> str:
    """A digest of everything the row shows and everything its rendering depends on (language,
    time zone, role, organisation address), so a cached row is never out of date."""
    assignee = mention.assignee
    parts = (
        ROW_TEMPLATE, translation.get_language(), timezone.get_current_timezone_name(), org.slug, can_edit,
        mention.pk, mention.platform, mention.author_handle, mention.author_name, mention.author_followers,
        mention.published_at.isoformat(), mention.text, mention.sentiment, mention.status,
        (assignee.pk, assignee.get_full_name(), assignee.username) if assignee else None,
        mention.query_names, mention.tags, mention.likes, mention.reposts, mention.replies,
    )  # fmt: skip
    return "inbox-row:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def rows_html(rows, *, org, can_edit: bool) -> None:
    """Set ``row_html`` on each mention: the row's markup, rendered once per content and kept in
    the cache (a page of 50 rows is most of the inbox's rendering time). Redis being down only
    means rendering every row."""
    keys = {mention.pk: _row_key(mention, org=org, can_edit=can_edit) for mention in rows}
    try:
        found = cache.get_many(list(keys.values()))
    except Exception:  # noqa: BLE001 - a cache outage must not break the inbox
        logger.warning("inbox row cache unavailable", exc_info=True)
        found = None
    template, rendered = get_template(ROW_TEMPLATE), {}
    for mention in rows:
        html = (found or {}).get(keys[mention.pk])
        if html is None:
            html = template.render({"m": mention, "can_edit": can_edit, "current_org": org})
            rendered[keys[mention.pk]] = html
        mention.row_html = mark_safe(html)  # noqa: S308 - rendered from our template, with autoescape
    if rendered and found is not None:
        try:
            cache.set_many(rendered, ROW_TTL_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("inbox row cache unavailable", exc_info=True)


FILTERS_TEMPLATE = "listening/includes/inbox_filters.html"


def filters_html(form, *, org, params, queries: list[tuple[int, str]]) -> str:
    """The filter bar's fields, rendered once per (language, filters typed, the organisation's
    queries and members) and cached. ``queries`` are the organisation's (id, name) by name; the
    members are read here, as the select box would have read them, so a cached and a fresh
    render run the same queries."""
    query_field, assignee_field = form.fields["query"], form.fields["assignee"]
    members = [
        (pk, f"{first} {last}".strip() or username)
        for pk, first, last, username in assignee_field.queryset.values_list(
            "pk", "first_name", "last_name", "username"
        )
    ]
    query_field.choices = [("", query_field.empty_label), *queries]
    assignee_field.choices = [("", assignee_field.empty_label), *members]
    parts = (
        FILTERS_TEMPLATE,
        translation.get_language(),
        org.pk,
        form.is_bound,
        sorted(params.lists()),
        queries,
        members,
    )
    key = "inbox-filters:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    try:
        html = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage must not break the inbox
        logger.warning("inbox filter cache unavailable", exc_info=True)
        return mark_safe(get_template(FILTERS_TEMPLATE).render({"form": form}))  # noqa: S308
    if html is None:
        html = get_template(FILTERS_TEMPLATE).render({"form": form})
        try:
            cache.set(key, html, ROW_TTL_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("inbox filter cache unavailable", exc_info=True)
    return mark_safe(html)  # noqa: S308 - rendered from our template, with autoescape


def _query_names(org):
    return dict(Query.objects.filter(org=org).values_list("id", "name"))


@org_view()
def inbox(request):
    form, queryset = _filtered(request)
    rows, next_token = mentions_page(queryset, after=request.GET.get("after"), size=PAGE_SIZE)
    # By name, as the filter bar lists them; the rows show the names too.
    queries = list(form.fields["query"].queryset.order_by("name", "pk").values_list("pk", "name"))
    query_names = dict(queries)
    for mention in rows:
        mention.query_names = [query_names[q] for q in mention.query_ids if q in query_names]
    rows_html(rows, org=request.org, can_edit=request.membership.can_edit)
    params = request.GET.copy()
    params.pop("after", None)
    context = {
        "form": form,
        # Full pages only: the filter bar (htmx) and the "older" button ask for the results block.
        "filter_fields": "" if request.htmx else filters_html(form, org=request.org, params=params, queries=queries),
        "mentions": rows,
        "next_url": f"?{params.urlencode()}&after={next_token}" if next_token else None,
        "export_query": params.urlencode(),
        "has_sources": Source.objects.filter(org=request.org).exists(),
        "can_edit": request.membership.can_edit,
        "statuses": MentionStatus.choices,
        "filtered": bool(params),
        "is_more": bool(request.GET.get("after")),
    }
    if request.htmx:
        # The filter bar and the "older" button ask only for the results block.
        template = "listening/inbox.html#rows" if request.GET.get("after") else "listening/inbox.html#results"
        return render(request, template, context)
    return render(request, "listening/inbox.html", context)


@org_view()
def inbox_export(request):
    form, queryset = _filtered(request)
    stem = slugify(_("mentions"))
    filename = f"{stem}-{request.org.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    return stream_mentions_csv(queryset, filename)


@require_POST
@org_view(Role.EDITOR)
def bulk(request):
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
    if not ids:
        messages.error(request, _("Select at least one mention."))
    else:
        try:
            count = mention_services.mentions_bulk_update(
                org=request.org, ids=ids, by=request.user, action=request.POST.get("action", ""),
                tag=request.POST.get("tag", ""),
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(count)s mentions updated.") % {"count": count})
    return redirect(request.POST.get("next") or f"/o/{request.org.slug}/listening/")


def _members(org):
    return get_user_model().objects.filter(memberships__org=org).order_by("first_name", "username")


@org_view()
def mention_detail(request, pk):
    mention = get_scoped_or_404(Mention.objects.select_related("assignee", "source"), request.org, pk=pk)
    query_names = _query_names(request.org)
    return render(
        request,
        "listening/mention_detail.html",
        {
            "mention": mention,
            "notes": mention.notes.select_related("author"),
            "query_names": [query_names[q] for q in mention.query_ids if q in query_names],
            "members": _members(request.org),
            "statuses": MentionStatus.choices,
            "can_edit": request.membership.can_edit,
        },
    )


def _back(request, mention):
    return redirect("listening-mention-detail", org_slug=request.org.slug, pk=mention.pk)


@require_POST
@org_view(Role.EDITOR)
def mention_update(request, pk):
    mention = get_scoped_or_404(Mention, request.org, pk=pk)
    assignee = ...
    if "assignee" in request.POST:
        value = request.POST["assignee"]
        assignee = _members(request.org).filter(pk=value).first() if value else None
        if value and assignee is None:
            messages.error(request, _("Only members of the organisation can be assigned."))
            return _back(request, mention)
    tags = None
    if "tags" in request.POST:
        tags = request.POST["tags"].replace(";", ",").split(",")
    status = request.POST.get("status") or None
    try:
        mention_services.mention_update(mention=mention, by=request.user, status=status, assignee=assignee, tags=tags)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The mention was updated."))
    return _back(request, mention)


@require_POST
@org_view(Role.EDITOR)
def mention_answer(request, pk):
    mention = get_scoped_or_404(Mention, request.org, pk=pk)
    try:
        mention_services.mention_answer(mention=mention, by=request.user, text=request.POST.get("text", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The answer was recorded and the mention marked as answered."))
    return _back(request, mention)


@require_POST
@org_view(Role.VIEWER)
def mention_note(request, pk):
    # Viewers (directors) may leave internal notes too: a note changes nothing in the workflow.
    mention = get_scoped_or_404(Mention, request.org, pk=pk)
    try:
        mention_services.mention_note_add(mention=mention, by=request.user, text=request.POST.get("text", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The note was added."))
    return _back(request, mention)
