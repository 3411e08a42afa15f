"""Configuration of the person record, edited by system administrators.

People themselves are deliberately not in the admin: every view of a person's record
must go through the audited pages and API.
"""

from django.contrib import admin

from clients.models import AlertType, InvolvementRole, NoteType, RelationshipType


@admin.register(RelationshipType)
class RelationshipTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "reciprocal", "category", "genogram", "is_active", "sort_order"]
    list_filter = ["category", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name", "code"]


@admin.register(InvolvementRole)
class InvolvementRoleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_allocation", "is_active"]
    list_filter = ["is_allocation", "is_active"]


@admin.register(AlertType)
class AlertTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "severity", "is_active"]
    list_filter = ["severity", "is_active"]


@admin.register(NoteType)
class NoteTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_active"]
    list_filter = ["is_active"]
