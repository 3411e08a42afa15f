from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.http import HttpRequest

from casemgmt.admin import ReadOnlyAdmin
from casemgmt.models import User
from governance import services
from governance.models import StaffHomeAddress, UnusualAccessRun

# Flags are not here: they name the people whose records were opened, so they are read
# only on the reviewer's pages, where every look is recorded.


@admin.register(StaffHomeAddress)
class StaffHomeAddressAdmin(admin.ModelAdmin):
    list_display = ["user", "postcode", "updated_at"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "postcode"]
    autocomplete_fields = ["user"]
    fields = ["user", "postcode"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A postcode belongs to one member of staff: moving it to another is a new row.
        return ["user"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: StaffHomeAddress, form: Any, change: bool
    ) -> None:
        services.staff_home_address_save(
            actor=cast(User, request.user),  # the admin is signed-in staff only
            home_address=obj,
            postcode=obj.postcode,
        )


@admin.register(UnusualAccessRun)
class UnusualAccessRunAdmin(ReadOnlyAdmin):
    list_display = ["window_start", "window_end", "finished_at", "flags_created"]
    date_hierarchy = "window_start"
