"""API tokens in the admin: a system administrator makes one (shown once), and revokes it.

Imported by casemgmt/admin.py. Nothing about a token can be edited: a token that
should change is revoked and replaced, so the record of what could call the API, as
whom and when, stays whole. Tokens are never deleted for the same reason.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from casemgmt.api_tokens.forms import ApiTokenCreateForm, ApiTokenRevokeForm
from casemgmt.api_tokens.services import api_token_create, api_token_revoke
from casemgmt.models import ApiToken, User


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "token_key",
        "user",
        "scope_list",
        "status",
        "expires_at",
        "last_used_at",
    ]
    list_filter = [StatusFilter]
    list_select_related = ["user"]
    search_fields = ["name", "=key_id", "user__username"]
    fields = (
        "name",
        "description",
        "token_key",
        "user",
        "scope_list",
        "status",
        "created_at",
        "created_by",
        "expires_at",
        "last_used_at",
        "last_used_ip",
        "revoked_at",
        "revoked_by",
        "revoked_reason",
    )
    readonly_fields = fields
    change_form_template = "admin/casemgmt/apitoken/change_form.html"

    @admin.display(description="Token")
    def token_key(self, token: ApiToken) -> str:
        # The key id is not secret: it is how a leaked token is found here.
        return f"cm_{token.key_id}_…"

    @admin.display(description="Scopes")
    def scope_list(self, token: ApiToken) -> str:
        return ", ".join(token.scopes)

    @admin.display(description="Status")
    def status(self, token: ApiToken) -> str:
        return token.status

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Tokens are made in add_view and revoked in revoke_view; nothing else is saved.
        raise PermissionDenied

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST":
            raise PermissionDenied
        context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self) -> list[URLPattern]:
        revoke = path(
            "<path:object_id>/revoke/",
            self.admin_site.admin_view(self.revoke_view),
            name="casemgmt_apitoken_revoke",
        )
        return [revoke, *super().get_urls()]

    def _page(
        self, request: HttpRequest, template: str, title: str, **context: Any
    ) -> TemplateResponse:
        return TemplateResponse(
            request,
            f"admin/casemgmt/apitoken/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                **context,
            },
        )

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ApiTokenCreateForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                issued = api_token_create(
                    actor=cast(User, request.user),
                    user=form.cleaned_data["user"],
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    scopes=form.cleaned_data["scopes"],
                    expires_at=form.expires_at(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                self.log_addition(request, issued.token, [{"added": {}}])
                # The only time the secret exists outside the caller's hands: shown, never kept.
                return self._page(
                    request,
                    "issued.html",
                    "API token created",
                    token=issued.token,
                    secret=issued.secret,
                )
        return self._page(request, "add_form.html", "Add API token", form=form)

    def revoke_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        token = self.get_object(request, unquote(object_id))
        if token is None:
            raise Http404("No such API token.")
        if not self.has_change_permission(request, token):
            raise PermissionDenied
        form = ApiTokenRevokeForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and not token.is_revoked and form.is_valid():
            try:
                api_token_revoke(
                    actor=cast(User, request.user), token=token, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                self.log_change(request, token, [{"changed": {"fields": ["revoked"]}}])
                self.message_user(
                    request, f"Revoked {token}: it no longer works.", messages.SUCCESS
                )
                return HttpResponseRedirect(
                    reverse("admin:casemgmt_apitoken_change", args=[token.pk])
                )
        return self._page(
            request, "revoke.html", f"Revoke {token}", form=form, token=token, original=token
        )
