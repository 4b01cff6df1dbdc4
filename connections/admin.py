from django.contrib import admin

from matching.admin import MatchAdmin

from .models import MatchEvent, Message


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


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: messages are written and hidden through the portal (who and why recorded)."""

    list_display = ["match", "channel", "side", "author", "created_at", "hidden_at"]
    list_filter = ["channel", "side"]
    raw_id_fields = ["match", "author", "contact", "hidden_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
