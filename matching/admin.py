from django.contrib import admin

from .models import Embedding, EngineSettings, Match, MatchedRecord, MatchingRun


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["demand", "offer", "score", "status", "engine_version", "computed_at"]
    list_filter = ["status", "engine_version", "in_demand_top", "in_offer_top"]
    search_fields = ["demand__title", "offer__title", "offer__provider_name"]
    list_select_related = ["demand", "offer"]
    raw_id_fields = ["demand", "offer", "reviewer"]


@admin.register(MatchingRun)
class MatchingRunAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "state",
        "processed",
        "total",
        "matches_written",
        "engine_version",
        "started_at",
    ]
    list_filter = ["state"]
    search_fields = ["engine_version", "error"]


@admin.register(EngineSettings)
class EngineSettingsAdmin(admin.ModelAdmin):
    list_display = ["version", "note", "updated_by", "updated_at"]
    search_fields = ["note"]


@admin.register(Embedding)
class EmbeddingAdmin(admin.ModelAdmin):
    list_display = ["kind", "object_id", "model_version", "language", "updated_at"]
    list_filter = ["kind", "model_version", "language"]
    search_fields = ["object_id", "text_hash"]
    exclude = ["vector"]


@admin.register(MatchedRecord)
class MatchedRecordAdmin(admin.ModelAdmin):
    list_display = ["kind", "object_id", "engine_version", "matched_at"]
    list_filter = ["kind", "engine_version"]
    search_fields = ["object_id"]
