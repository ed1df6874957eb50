from django.contrib import admin

from learning.models import (
    Activity,
    ActivityComment,
    ActivityPilot,
    CaseStudy,
    Executive,
    FeedItem,
    Lesson,
    LessonDigestSubscription,
    RecurringSession,
    TrainingSession,
    TrustedFeed,
)


class PilotInline(admin.TabularInline):
    model = ActivityPilot
    extra = 0
    exclude = ["org"]


class CommentInline(admin.TabularInline):
    model = ActivityComment
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["name", "org", "status", "social_platform", "updated_at"]
    list_filter = ["org", "status"]
    search_fields = ["name", "current_tool", "social_platform"]
    inlines = [PilotInline, CommentInline]

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            if hasattr(inline_form.instance, "org_id"):
                inline_form.instance.org = form.instance.org
        super().save_formset(request, form, formset, change)


@admin.register(TrustedFeed)
class TrustedFeedAdmin(admin.ModelAdmin):
    list_display = ["name", "org", "category", "enabled", "status", "last_polled_at", "next_poll_at"]
    list_filter = ["org", "category", "status", "enabled"]
    search_fields = ["name", "url"]
    readonly_fields = ["last_polled_at", "last_success_at", "last_error", "consecutive_failures", "cursor"]


@admin.register(FeedItem)
class FeedItemAdmin(admin.ModelAdmin):
    list_display = ["title", "feed", "published_at"]
    list_filter = ["org"]
    search_fields = ["title", "url"]
    raw_id_fields = ["feed"]


@admin.register(CaseStudy)
class CaseStudyAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "org", "platform", "created_at"]
    list_filter = ["org", "platform"]
    search_fields = ["title", "organisation", "what_they_did"]
    raw_id_fields = ["feed_item", "mention", "lesson"]


class SessionInline(admin.TabularInline):
    model = TrainingSession
    extra = 0
    exclude = ["org", "lesson"]


@admin.register(Executive)
class ExecutiveAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "org"]
    list_filter = ["org"]
    search_fields = ["name", "position"]
    inlines = [SessionInline]

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            inline_form.instance.org = form.instance.org
        super().save_formset(request, form, formset, change)


@admin.register(RecurringSession)
class RecurringSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "executive", "rrule", "active"]
    list_filter = ["org", "active"]
    readonly_fields = ["rrule"]

    def save_model(self, request, obj, form, change):
        # The rule is built from the friendly fields, as in the page's form.
        from learning.services.executives import recurring_save

        recurring_save(obj)


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "org", "source_kind", "author", "created_at"]
    list_filter = ["org", "source_kind"]
    search_fields = ["title", "body"]


@admin.register(LessonDigestSubscription)
class LessonDigestSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["membership", "created_at", "last_sent_at"]
