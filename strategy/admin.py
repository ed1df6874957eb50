from django.contrib import admin

from strategy.models import KPI, Audience, Campaign, Objective, Profile, Purpose


class KPIInline(admin.TabularInline):
    model = KPI
    extra = 0
    exclude = ["org"]


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    list_display = ["org", "updated_at"]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["title", "org", "owner", "deadline", "status", "archived_at"]
    list_filter = ["org", "status"]
    search_fields = ["title", "why"]
    inlines = [KPIInline]

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            inline_form.instance.org = form.instance.org
        super().save_formset(request, form, formset, change)


@admin.register(KPI)
class KPIAdmin(admin.ModelAdmin):
    list_display = ["name", "objective", "metric_key", "baseline", "target", "direction"]
    list_filter = ["org", "metric_key"]


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = ["name", "org", "archived_at"]
    list_filter = ["org"]
    search_fields = ["name"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["handle", "platform", "org", "archived_at"]
    list_filter = ["org", "platform"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "org", "starts_on", "ends_on", "status"]
    list_filter = ["org", "status"]
