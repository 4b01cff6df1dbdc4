from django.contrib import admin

from .models import Interpreter, MeetingRequest, Registration, Session


class InterpreterInline(admin.TabularInline):
    model = Interpreter
    extra = 0


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "province", "first_day", "status"]
    list_filter = ["status", "province"]
    search_fields = ["title"]
    inlines = [InterpreterInline]
    raw_id_fields = ["created_by"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["organization", "session", "kind", "status"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["session", "organization", "registered_by"]
    filter_horizontal = []
    autocomplete_fields: list[str] = []

    def get_readonly_fields(self, request, obj=None):
        return ["demands", "offers"]


@admin.register(MeetingRequest)
class MeetingRequestAdmin(admin.ModelAdmin):
    list_display = ["session", "firm", "representation", "status", "slot", "table"]
    list_filter = ["status", "asked_by"]
    raw_id_fields = [
        "session",
        "firm",
        "representation",
        "demand",
        "offer",
        "match",
        "asked_by_user",
    ]
