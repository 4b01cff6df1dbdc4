from django.contrib import admin

from .models import Offer, OfferAttachment, OfferEvent


class OfferEventInline(admin.TabularInline):
    model = OfferEvent
    extra = 0
    readonly_fields = ["actor", "from_status", "to_status", "note", "created_at"]
    can_delete = False


class OfferAttachmentInline(admin.TabularInline):
    model = OfferAttachment
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "uploaded_by", "created_at"]
    exclude = ["file"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "provider_name",
        "provider_country",
        "representation",
        "status",
        "trl",
        "language",
        "valid_until",
        "updated_at",
    ]
    list_filter = [
        "status",
        "provider_type",
        "ip_status",
        "language",
        "provider_country",
        "representation",
        "fields",
        "cooperation",
    ]
    search_fields = ["title", "title_vi", "provider_name", "external_ref", "keywords"]
    list_select_related = ["representation", "trl"]
    autocomplete_fields = ["representation", "created_by"]
    filter_horizontal = ["fields", "cooperation"]
    readonly_fields = [
        "search_text",
        "published_at",
        "archived_at",
        "expiry_reminder_sent_at",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "updated_at"
    inlines = [OfferAttachmentInline, OfferEventInline]


@admin.register(OfferEvent)
class OfferEventAdmin(admin.ModelAdmin):
    list_display = ["offer", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
    search_fields = ["offer__title", "note", "actor__email"]
    list_select_related = ["offer", "actor"]
    raw_id_fields = ["offer", "actor"]


@admin.register(OfferAttachment)
class OfferAttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "offer", "content_type", "size", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "offer__title"]
    list_select_related = ["offer"]
    raw_id_fields = ["offer", "uploaded_by"]
