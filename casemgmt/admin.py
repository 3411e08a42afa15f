from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from casemgmt.mfa.admin_actions import reset_mfa
from casemgmt.models import AuditEvent, Code, CodeList, Job, Team, TeamMembership, User
from casemgmt.views_account import unlock_sign_in
from casemgmt.views_sessions import end_sessions


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "job_title", "is_active", "last_login"]
    list_filter = ["is_active", "is_staff", "groups"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Work", {"fields": ("job_title", "phone")}),
    )
    inlines = [TeamMembershipInline]
    actions = [reset_mfa, end_sessions, unlock_sign_in]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active", "parent"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ("name",)}


class CodeInline(admin.TabularInline):
    model = Code
    extra = 1


@admin.register(CodeList)
class CodeListAdmin(admin.ModelAdmin):
    list_display = ["name", "key"]
    search_fields = ["name", "key"]
    inlines = [CodeInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the system: viewable, never editable or deletable here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "actor_username", "kind", "action", "person_id", "summary"]
    list_filter = ["kind", "action"]
    search_fields = ["actor_username", "=person_id", "summary"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "status", "progress_done", "progress_total", "created_at"]
    list_filter = ["status", "kind"]


# API tokens for integrations: made (shown once) and revoked by system administrators.
from casemgmt.api_tokens import admin as api_tokens_admin  # noqa: E402, F401
