from django.contrib import admin

from matching.admin import MatchAdmin

from .models import MatchEvent


class MatchEventInline(admin.TabularInline):
    model = MatchEvent
    extra = 0
    readonly_fields = ["actor", "from_status", "to_status", "note", "created_at"]


# A match's page in the admin shows its history, as before the workflow had its own app.
MatchAdmin.inlines = [*MatchAdmin.inlines, MatchEventInline]


@admin.register(MatchEvent)
class MatchEventAdmin(admin.ModelAdmin):
    list_display = ["match", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
    search_fields = ["match__demand__title", "match__offer__title", "note"]
    raw_id_fields = ["match", "actor"]
