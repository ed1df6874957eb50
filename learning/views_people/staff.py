"""Staff profiles on the platforms and the lists that group them for segmented content."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learning.forms_people import STAFF_PLATFORMS, StaffListForm, StaffMemberForm
from learning.models import StaffList, StaffMember
from learning.people import staff as service
from mesm.models import Role
from mesm.tenancy import get_scoped_or_404, org_view, scoped


@org_view()
def staff_list(request):
    people = scoped(StaffMember.objects.select_related("member").prefetch_related("lists"), request.org)
    q = request.GET.get("q", "").strip()
    department = request.GET.get("department", "").strip()
    platform = request.GET.get("platform", "")
    list_id = request.GET.get("list", "")
    if q:
        people = people.filter(Q(name__icontains=q) | Q(email__icontains=q) | Q(department__icontains=q))
    if department:
        people = people.filter(department=department)
    if platform in dict(STAFF_PLATFORMS):
        people = people.filter(handles__has_key=platform).exclude(**{f"handles__{platform}": ""})
    else:
        platform = ""
    selected_list = None
    if list_id.isdigit():
        selected_list = scoped(StaffList, request.org).filter(pk=list_id).first()
        if selected_list:
            people = people.filter(lists=selected_list)
    lists = scoped(StaffList, request.org).annotate(people=Count("members"))
    departments = (
        scoped(StaffMember, request.org).exclude(department="").values_list("department", flat=True).distinct()
    )
    return render(
        request,
        "learning/people/staff/list.html",
        {
            "people": people,
            "lists": lists,
            "departments": sorted(departments),
            "platforms": STAFF_PLATFORMS,
            "q": q,
            "department": department,
            "platform": platform,
            "selected_list": selected_list,
            "filtered": bool(q or department or platform or selected_list),
            "can_edit": request.membership.can_edit,
        },
    )


def _member_form(request, person=None):
    form = StaffMemberForm(request.POST or None, instance=person, org=request.org)
    if request.method == "POST" and form.is_valid():
        person = form.save()
        messages.success(request, _("“%(name)s” was saved.") % {"name": person})
        return redirect("learning-staff-detail", org_slug=request.org.slug, pk=person.pk)
    return render(request, "learning/people/staff/form.html", {"form": form, "object": person})


@org_view(Role.EDITOR)
def staff_create(request):
    return _member_form(request)


@org_view(Role.EDITOR)
def staff_edit(request, pk):
    return _member_form(request, get_scoped_or_404(StaffMember, request.org, pk=pk))


@org_view()
def staff_detail(request, pk):
    person = get_scoped_or_404(StaffMember.objects.select_related("member"), request.org, pk=pk)
    handles = [(label, person.handle_on(value)) for value, label in STAFF_PLATFORMS if person.handle_on(value)]
    return render(
        request,
        "learning/people/staff/detail.html",
        {
            "person": person,
            "handles": handles,
            "lists": person.lists.all(),
            "groups": person.discussion_groups.all(),
            "acknowledgements": person.acknowledgements.select_related("version"),
            "can_edit": request.membership.can_edit,
        },
    )


@require_POST
@org_view(Role.EDITOR)
def staff_delete(request, pk):
    person = get_scoped_or_404(StaffMember, request.org, pk=pk)
    name = person.name
    person.delete()
    messages.success(request, _("“%(name)s” was removed from the staff profiles.") % {"name": name})
    return redirect("learning-staff-list", org_slug=request.org.slug)


MAX_IMPORT_BYTES = 2 * 1024 * 1024


@org_view(Role.EDITOR)
def staff_import(request):
    """Create or update staff profiles from a CSV file (or pasted text); all or nothing."""
    errors, text = [], request.POST.get("text", "")
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is not None:
            if upload.size > MAX_IMPORT_BYTES:
                errors = [(0, _("The file is too big: at most 2 MB."))]
            else:
                try:
                    text = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    errors = [(0, _("Save the file as CSV with UTF-8 encoding and try again."))]
        if not errors and not text.strip():
            errors = [(0, _("Choose a CSV file or paste its lines."))]
        if not errors:
            result = service.staff_import_csv(request.org, text)
            errors = result.errors
            if not errors:
                messages.success(
                    request,
                    _("Import done: %(created)s new, %(updated)s updated.")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect("learning-staff-list", org_slug=request.org.slug)
    return render(
        request,
        "learning/people/staff/import.html",
        {"errors": errors, "text": text, "platforms": STAFF_PLATFORMS},
        status=400 if errors else 200,
    )


# --- lists -----------------------------------------------------------------------------------------------------------


def _list_form(request, staff_list=None):
    form = StaffListForm(request.POST or None, instance=staff_list, org=request.org)
    if request.method == "POST" and form.is_valid():
        staff_list = form.save()
        messages.success(request, _("“%(name)s” was saved.") % {"name": staff_list})
        return redirect("learning-staff-list-detail", org_slug=request.org.slug, pk=staff_list.pk)
    return render(request, "learning/people/staff/list_form.html", {"form": form, "object": staff_list})


@org_view(Role.EDITOR)
def staff_list_create(request):
    return _list_form(request)


@org_view(Role.EDITOR)
def staff_list_edit(request, pk):
    return _list_form(request, get_scoped_or_404(StaffList, request.org, pk=pk))


@org_view()
def staff_list_detail(request, pk):
    staff_list = get_scoped_or_404(StaffList, request.org, pk=pk)
    people = staff_list.members.order_by("name", "id")
    return render(
        request,
        "learning/people/staff/list_detail.html",
        {
            "staff_list": staff_list,
            "people": people,
            "platforms": service.staff_list_platforms(staff_list),
            "all_platforms": STAFF_PLATFORMS,
            "can_edit": request.membership.can_edit,
        },
    )


@org_view()
def staff_list_export(request, pk):
    staff_list = get_scoped_or_404(StaffList, request.org, pk=pk)
    platform = request.GET.get("platform", "")
    if platform not in dict(STAFF_PLATFORMS):
        messages.error(request, _("Choose the platform to export."))
        return redirect("learning-staff-list-detail", org_slug=request.org.slug, pk=staff_list.pk)
    body = "\ufeff" + service.staff_list_export_csv(staff_list, platform)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = slugify(staff_list.name)[:60] or "list"
    response["Content-Disposition"] = f'attachment; filename="{name}-{platform}.csv"'
    return response


@require_POST
@org_view(Role.EDITOR)
def staff_list_delete(request, pk):
    staff_list = get_scoped_or_404(StaffList, request.org, pk=pk)
    name = staff_list.name
    staff_list.delete()
    messages.success(
        request, _("The list “%(name)s” was deleted; its people stay in the staff profiles.") % {"name": name}
    )
    return redirect("learning-staff-list", org_slug=request.org.slug)
