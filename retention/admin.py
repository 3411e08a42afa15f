from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.http import HttpRequest

from casemgmt.admin import ReadOnlyAdmin
from casemgmt.models import User
from retention import services
from retention.models import RetentionReviewRun, RetentionRule

# Holds, reviews and tombstones are not here: holds and reviews name people, so they are
# read on the retention pages, where every look is recorded.


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "summary", "precedence", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "description"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "category", "description", "is_active"]}),
        ("The period", {"fields": ["trigger", "years"]}),
        (
            "A second date (optional)",
            {
                "fields": [
                    "second_trigger",
                    "second_years",
                    "combine",
                    "second_only_if_died_before_age",
                ],
                "description": "For example: 75 years from the date of birth, or 15 years "
                "from the date of death if the child died before 18, whichever is earlier.",
            },
        ),
        ("When several rules fit", {"fields": ["precedence", "updated_at"]}),
    ]

    @admin.display(description="Rule")
    def summary(self, obj: RetentionRule) -> str:
        return obj.summary

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Reviews and tombstones name the rule they were decided under: make it inactive.
        return False

    def save_model(self, request: HttpRequest, obj: RetentionRule, form: Any, change: bool) -> None:
        services.retention_rule_save(actor=cast(User, request.user), rule=obj)


@admin.register(RetentionReviewRun)
class RetentionReviewRunAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "started_at", "finished_at", "people_checked", "added", "lapsed"]
    date_hierarchy = "started_at"
