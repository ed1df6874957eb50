"""The plan as CSV in the browser: export (viewers) and import with a preview (editors).

The import works in two steps, as the metrics imports do: the uploaded file is read and every
row checked; the good rows wait in the session under a token while the user reads the preview;
confirming creates them as drafts, all in one transaction. Nothing is written before that.
"""

import secrets

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mesm.models import Role
from mesm.tenancy import org_view, scoped
from strategy.models import PlannedPost
from strategy.plan_csv import (
    MAX_UPLOAD_BYTES,
    PlanFilter,
    PlanImportError,
    PlanImportResult,
    plan_csv_commit,
    plan_csv_parse,
    plan_csv_response,
)

SESSION_KEY = "strategy_plan_imports"
KEPT_PREVIEWS = 3
PREVIEW_ROWS = 50


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8 or Windows-1252, columns separated by commas or semicolons; at most 2 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB; split it into several files."))
        return upload


@org_view(Role.VIEWER)
def plan_export(request):
    """The filtered plan as CSV (the same filters as the calendar list)."""
    filterset = PlanFilter(request.GET, queryset=scoped(PlannedPost, request.org), request=request)
    if not filterset.is_valid():
        problems = [f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()]
        return HttpResponse(
            _("The filters are not valid: %(problems)s") % {"problems": "; ".join(problems)},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return plan_csv_response(filterset.qs, request.org)


def _stash(request, result: PlanImportResult) -> str:
    """Keep a checked file in the session until it is confirmed; only the latest few are kept."""
    token = secrets.token_urlsafe(12)
    stash = dict(list(request.session.get(SESSION_KEY, {}).items())[-(KEPT_PREVIEWS - 1) :])
    stash[token] = result.as_dict()
    request.session[SESSION_KEY] = stash
    return token


@org_view(Role.EDITOR)
def plan_import(request):
    """GET: the upload form. POST a file: the preview. POST a preview's token: import its good rows."""
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request)
    form = PlanImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = plan_csv_parse(request.org, form.cleaned_data["file"])
        return render(
            request,
            "strategy/calendar/import_preview.html",
            {
                "result": result,
                "good_count": len(result.good_rows),
                "bad_messages": result.messages(),
                "sample": result.good_rows[:PREVIEW_ROWS],
                "token": _stash(request, result) if result.good_rows else None,
            },
        )
    return render(request, "strategy/calendar/import.html", {"form": form})


def _confirm(request):
    stash = request.session.get(SESSION_KEY, {})
    data = stash.pop(request.POST.get("token", ""), None)
    if data is None:
        messages.error(request, _("This preview has expired or was already imported. Upload the file again."))
        return redirect("strategy-plan-import", org_slug=request.org.slug)
    request.session[SESSION_KEY] = stash
    result = PlanImportResult.from_dict(data)
    if result.org_id != request.org.pk:
        raise Http404
    try:
        created = plan_csv_commit(result, user=request.user)
    except PlanImportError as error:
        messages.error(
            request,
            _("Nothing was imported, because some rows can no longer be created: %(problems)s Upload the file again.")
            % {"problems": " ".join(f"{message}." for message in error.messages())},
        )
        return redirect("strategy-plan-import", org_slug=request.org.slug)
    message = ngettext(
        "%(count)s post was imported as a draft.", "%(count)s posts were imported as drafts.", len(created)
    ) % {"count": len(created)}
    if result.bad_rows:
        left_out = len(result.bad_rows)
        message += " " + ngettext(
            "%(count)s row with a problem was left out.", "%(count)s rows with problems were left out.", left_out
        ) % {"count": left_out}
    messages.success(request, message)
    return redirect("strategy-post-list", org_slug=request.org.slug)
