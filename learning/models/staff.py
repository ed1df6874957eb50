"""Models of learning: listening to staff — surveys, staff profile lists, talks and the social media policy."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mesm.models import Organization, OrgScopedQuerySet

__all__ = [
    "PolicyAcknowledgement",
    "PolicyVersion",
    "QuestionKind",
    "StaffList",
    "StaffMember",
    "Survey",
    "SurveyAccess",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyResponse",
    "SurveyState",
    "Talk",
]


def _survey_token() -> str:
    return secrets.token_urlsafe(12)


class SurveyAccess(models.TextChoices):
    ANYONE = "anyone", _("Anyone with the link (anonymous)")
    MEMBERS = "members", _("Signed-in members only, one answer each")


class SurveyState(models.TextChoices):
    NOT_OPEN = "not_open", pgettext_lazy("survey state", "Not open yet")
    OPEN = "open", pgettext_lazy("survey state", "Open")
    CLOSED = "closed", pgettext_lazy("survey state", "Closed")


class Survey(models.Model):
    """A questionnaire for the staff, answered through a shareable link ``/s/<token>/``."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown above the questions: why you ask and what you will do.")
    )
    language = models.CharField(
        _("language of the survey"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="es",
        help_text=_("The public page speaks this language."),
    )
    access = models.CharField(_("who can answer"), max_length=10, choices=SurveyAccess.choices, default="anyone")
    token = models.CharField(max_length=32, unique=True, default=_survey_token, editable=False)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True, help_text=_("Empty: open from now."))
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True, help_text=_("Empty: open until you close it."))
    thanks_message = models.TextField(
        _("thank-you message"), blank=True, help_text=_("Shown after someone answers. Empty: a short thank you.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        # Years before 1900 are typing slips, and their local time has no sensible UTC offset (LMT).
        for name in ("opens_at", "closes_at"):
            moment = getattr(self, name)
            if moment and not 1900 <= moment.year <= 9000:
                raise ValidationError({name: _("Choose a date between the years 1900 and 9000.")})
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The survey must close after it opens.")})

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.opens_at and now < self.opens_at:
            return SurveyState.NOT_OPEN
        if self.closes_at and now >= self.closes_at:
            return SurveyState.CLOSED
        return SurveyState.OPEN

    @property
    def is_open(self) -> bool:
        return self.state() == SurveyState.OPEN

    def get_state_display(self) -> str:
        return SurveyState(self.state()).label

    @property
    def public_path(self) -> str:
        return f"/s/{self.token}/"


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale")
    TEXT = "text", _("Free text")


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
# The two scales people know: 1–5 (agreement, satisfaction) and 0–10 (likelihood to recommend).
SCALE_RANGES = {(1, 5), (0, 10)}
MAX_TEXT_ANSWER = 4000


class SurveyQuestion(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    kind = models.CharField(_("type"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    required = models.BooleanField(_("an answer is required"), default=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    scale_min = models.PositiveSmallIntegerField(_("scale from"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("scale to"), default=5)
    scale_min_label = models.CharField(_("label of the lowest value"), max_length=60, blank=True)
    scale_max_label = models.CharField(_("label of the highest value"), max_length=60, blank=True)

    class Meta:
        ordering = ["survey", "position", "id"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")

    def __str__(self) -> str:
        return self.text

    def clean(self):
        errors = {}
        options = [str(o).strip() for o in (self.options or []) if str(o).strip()]
        if self.kind in CHOICE_KINDS:
            if len(options) < 2:
                errors["options"] = _("A choice question needs at least two options.")
            elif len({o.lower() for o in options}) != len(options):
                errors["options"] = _("Each option must be different.")
            elif any(len(o) > 200 for o in options):
                errors["options"] = _("Keep each option under 200 characters.")
            self.options = options
        else:
            self.options = []
        if self.kind == QuestionKind.SCALE and (self.scale_min, self.scale_max) not in SCALE_RANGES:
            errors["scale_max"] = _("A scale goes from 1 to 5 or from 0 to 10.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def scale_values(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1)) if self.kind == QuestionKind.SCALE else []


class SurveyResponse(models.Model):
    """One person's submitted answers. ``respondent`` is set only on members-only surveys."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent"],
                condition=models.Q(respondent__isnull=False),
                name="survey_response_one_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    choices = models.JSONField(default=list, blank=True)
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="survey_answer_one_per_question")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.display()}"

    def display(self) -> str:
        if self.choices:
            return "; ".join(self.choices)
        if self.number is not None:
            return str(self.number)
        return self.text


# --- staff profiles -------------------------------------------------------------------------------------------------


class StaffMember(models.Model):
    """Someone of the library's staff, with their handles on the platforms (for segmented content)."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="staff_members")
    name = models.CharField(_("name"), max_length=200)
    department = models.CharField(_("department"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    handles = models.JSONField(_("handles"), default=dict, blank=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("MESM account"),
        help_text=_("If this person uses MESM, link their account."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "member"], condition=models.Q(member__isnull=False), name="staff_member_one_per_account"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def handle_on(self, platform: str) -> str:
        return (self.handles or {}).get(platform, "")

    def handle_list(self) -> list[tuple[str, str]]:
        """(platform label, handle) in the platforms' usual order."""
        from strategy.models import Platform

        handles = self.handles or {}
        known = [(label, handles[value]) for value, label in Platform.choices if handles.get(value)]
        others = [(key, handle) for key, handle in handles.items() if handle and key not in Platform.values]
        return known + others


class StaffList(models.Model):
    """A named group of staff profiles (e.g. "Reference desk", "Branch managers") for segmented content."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="staff_lists")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(StaffMember, blank=True, related_name="lists", verbose_name=_("people"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("staff list")
        verbose_name_plural = _("staff lists")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="staff_list_unique_name")]

    def __str__(self) -> str:
        return self.name


# --- talks ---------------------------------------------------------------------------------------------------------


class Talk(models.Model):
    """A periodic open session teaching colleagues to use social media at work."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="learning_talks")
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    audience = models.CharField(
        _("audience"), max_length=200, blank=True, help_text=_("Who it is for, e.g. “all staff”, “branch libraries”.")
    )
    speaker = models.CharField(_("speaker"), max_length=200, blank=True)
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True, help_text=_("How many came."))
    notes = models.TextField(_("notes"), blank=True, help_text=_("What was shown, questions asked, what to repeat."))
    lesson = models.ForeignKey(
        "learning.Lesson", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("talk")
        verbose_name_plural = _("talks")

    def __str__(self) -> str:
        return self.topic


# --- governance ----------------------------------------------------------------------------------------------------


class PolicyVersion(models.Model):
    """One version of the social media policy; exactly one version of an organisation is current."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="policy_versions")
    number = models.PositiveIntegerField(_("version number"), editable=False)
    label = models.CharField(_("version label"), max_length=60, blank=True, help_text=_("E.g. “2.1” or “2026”."))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Plain text. Lines starting with “# ” are headings, “- ” list items; blank lines separate paragraphs."
        ),
    )
    effective_on = models.DateField(_("effective from"))
    summary_of_changes = models.TextField(_("what changed"), blank=True)
    is_current = models.BooleanField(_("current version"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        constraints = [
            models.UniqueConstraint(fields=["org", "number"], name="policy_version_unique_number"),
            models.UniqueConstraint(
                fields=["org"], condition=models.Q(is_current=True), name="policy_version_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.display_label})"

    @property
    def display_label(self) -> str:
        return self.label or str(_("version %(number)s") % {"number": self.number})


class PolicyAcknowledgement(models.Model):
    """A person confirms they read a version: a member through the page, or a staff member recorded by an editor."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    staff_member = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), default=timezone.now)

    class Meta:
        ordering = ["acknowledged_at", "id"]
        verbose_name = _("policy acknowledgement")
        verbose_name_plural = _("policy acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "user"], condition=models.Q(user__isnull=False), name="policy_ack_one_per_user"
            ),
            models.UniqueConstraint(
                fields=["version", "staff_member"],
                condition=models.Q(staff_member__isnull=False),
                name="policy_ack_one_per_staff",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, staff_member__isnull=True)
                | models.Q(user__isnull=True, staff_member__isnull=False),
                name="policy_ack_user_or_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.staff_member} → {self.version}"
