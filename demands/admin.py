from django.contrib import admin

from .models import CampaignInvitation, Demand, DemandAttachment, DemandEvent, SurveyCampaign


class DemandEventInline(admin.TabularInline):
    model = DemandEvent
    extra = 0
    fields = ["created_at", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields
    can_delete = False


class DemandAttachmentInline(admin.TabularInline):
    model = DemandAttachment
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_by", "created_at"]
    readonly_fields = fields


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "organization",
        "province",
        "status",
        "visibility",
        "language",
        "updated_at",
    ]
    list_filter = ["status", "visibility", "language", "province", "campaign", "fields"]
    search_fields = ["title", "search_text", "organization__name", "organization__tax_code"]
    list_select_related = ["organization", "province"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["campaign", "created_by"]
    readonly_fields = ["search_text", "created_at", "updated_at", "submitted_at", "published_at"]
    filter_horizontal = ["fields", "cooperation"]
    inlines = [DemandAttachmentInline, DemandEventInline]
    date_hierarchy = "created_at"


@admin.register(DemandEvent)
class DemandEventAdmin(admin.ModelAdmin):
    list_display = ["demand", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status", "from_status"]
    search_fields = ["demand__title", "note", "actor__email"]
    raw_id_fields = ["demand", "actor"]


@admin.register(DemandAttachment)
class DemandAttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "demand", "content_type", "size", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "demand__title"]
    raw_id_fields = ["demand", "uploaded_by"]


class CampaignInvitationInline(admin.TabularInline):
    model = CampaignInvitation
    extra = 0
    raw_id_fields = ["organization"]


@admin.register(SurveyCampaign)
class SurveyCampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "province", "opens_on", "closes_on"]
    list_filter = ["year", "province"]
    search_fields = ["name", "intro"]
    raw_id_fields = ["created_by"]
    inlines = [CampaignInvitationInline]


@admin.register(CampaignInvitation)
class CampaignInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "campaign", "organization", "invited_at"]
    list_filter = ["campaign"]
    search_fields = ["email", "organization__name"]
    raw_id_fields = ["campaign", "organization"]
