"""Reads of the inbox: one filter set for the HTML inbox, the API and the CSV export."""

from __future__ import annotations

import base64
from datetime import datetime

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from listening.models import Mention, MentionStatus, Query, Sentiment, Source


def full_text(queryset, value: str):
    """Search in Spanish, English and unstemmed forms at once (each mention is indexed in its language)."""
    value = value.strip()
    if not value:
        return queryset
    search = (
        SearchQuery(value, config="spanish", search_type="websearch")
        | SearchQuery(value, config="english", search_type="websearch")
        | SearchQuery(value, config="simple", search_type="websearch")
    )
    return queryset.filter(search_vector=search)


class MentionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    platform = django_filters.ChoiceFilter(label=_("Platform"), choices=Source.Platform.choices)
    sentiment = django_filters.ChoiceFilter(label=_("Sentiment"), choices=Sentiment.choices)
    language = django_filters.CharFilter(label=_("Language"), field_name="language")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MentionStatus.choices)
    query = django_filters.NumberFilter(label=_("Query"), method="filter_query")
    author = django_filters.CharFilter(label=_("Author"), method="filter_author")
    assignee = django_filters.NumberFilter(label=_("Assignee"), field_name="assignee_id")
    tag = django_filters.CharFilter(label=_("Tag"), method="filter_tag")
    since = django_filters.IsoDateTimeFilter(label=_("From"), field_name="published_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(label=_("Until"), field_name="published_at", lookup_expr="lt")

    class Meta:
        model = Mention
        fields = []

    def filter_q(self, queryset, name, value):
        return full_text(queryset, value)

    def filter_query(self, queryset, name, value):
        return queryset.filter(query_ids__contains=[int(value)])

    def filter_author(self, queryset, name, value):
        value = value.strip().lstrip("@")
        return queryset.filter(Q(author_handle__icontains=value) | Q(author_name__icontains=value))

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=[value.strip().lstrip("#")])


class InboxFilterForm(forms.Form):
    """The inbox's filter bar: the same names as the API filters, with dates as dates."""

    q = forms.CharField(label=_("Search"), required=False)
    query = forms.ModelChoiceField(label=_("Query"), queryset=Query.objects.none(), required=False, empty_label="—")
    platform = forms.ChoiceField(label=_("Platform"), choices=[("", "—"), *Source.Platform.choices], required=False)
    sentiment = forms.ChoiceField(label=_("Sentiment"), choices=[("", "—"), *Sentiment.choices], required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", "—"), ("es", _("Spanish")), ("en", _("English"))], required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *MentionStatus.choices], required=False)
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False, empty_label="—")
    author = forms.CharField(label=_("Author"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["query"].queryset = Query.objects.filter(org=org)
        self.fields["assignee"].queryset = get_user_model().objects.filter(memberships__org=org).order_by("username")
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.username

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("The end date cannot be before the start date."))
        return data


def encode_position(mention: Mention) -> str:
    raw = f"{mention.published_at.isoformat()}|{mention.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_position(token: str) -> tuple[datetime, int] | None:
    try:
        published, pk = base64.urlsafe_b64decode(token.encode()).decode().split("|")
        moment = parse_datetime(published)
        return (moment, int(pk)) if moment else None
    except (ValueError, UnicodeDecodeError):
        return None


def mentions_page(queryset, *, after: str | None, size: int = 50):
    """Keyset page, newest first: rows strictly older than the ``after`` position."""
    queryset = queryset.order_by("-published_at", "-id")
    position = decode_position(after) if after else None
    if position:
        published, pk = position
        queryset = queryset.filter(Q(published_at__lt=published) | Q(published_at=published, id__lt=pk))
    rows = list(queryset[: size + 1])
    next_token = encode_position(rows[size - 1]) if len(rows) > size else None
    return rows[:size], next_token
