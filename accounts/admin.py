from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Organization, User


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "province", "country", "tax_code", "status", "created_at"]
    list_filter = ["kind", "status", "province", "country"]
    search_fields = ["name", "short_name", "tax_code", "contact_email"]
    list_select_related = ["province"]
    autocomplete_fields = ["province"]
    readonly_fields = ["reviewed_by", "reviewed_at", "created_at"]


class InviteUserForm(forms.ModelForm):
    """An admin adds a person without a password: the invitation email lets them choose one."""

    class Meta:
        model = User
        fields = ["email", "full_name", "organization", "job_title"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = InviteUserForm
    add_fieldsets = [(None, {"fields": ["email", "full_name", "organization", "job_title"]})]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "phone", "job_title", "organization"]}),
        (_("Language"), {"fields": ["language", "time_zone"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    list_display = ["email", "full_name", "organization", "is_active", "last_login"]
    list_filter = ["is_active", "is_staff", "organization__kind", "organization__province"]
    search_fields = ["email", "full_name", "organization__name"]
    ordering = ["email"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    actions = ["send_invitation"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        if not change:
            services.user_invite(user=obj)
            messages.info(
                request, _("An invitation was emailed to %(email)s.") % {"email": obj.email}
            )

    @admin.action(description=_("Send an invitation email (sets a password)"))
    def send_invitation(self, request, queryset):
        for user in queryset:
            services.user_invite(user=user)
        messages.info(request, _("%(count)d invitations sent.") % {"count": queryset.count()})
