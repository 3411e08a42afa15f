"""Documents in the admin: read-only, for support. Files are opened through the audited pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from markupsafe import Markup

from casemgmt import audit
from clients.models import Person
from documents.generation import read_layout, render_html, template_save
from documents.models import Document, DocumentTemplate, DocumentTemplateVersion, DocumentVersion
from documents.pdf import render_pdf
from documents.templating import (
    MAX_BODY_CHARS,
    TemplateProblem,
    compile_body,
    render_body,
    sample_context,
)
from documents.views import FILE_CSP
from workflows.models import Step
from workflows.permissions import access_step


class DocumentVersionInline(admin.TabularInline):
    model = DocumentVersion
    fields = ("number", "original_filename", "size", "content_type", "sha256", "scan_result")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "person", "category", "document_date", "confidentiality", "deleted_at")
    list_filter = ("confidentiality",)
    readonly_fields = [field.name for field in Document._meta.fields]
    inlines = [DocumentVersionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# -- letter and report templates ----------------------------------------------------------


class DocumentTemplateForm(forms.ModelForm):
    class Meta:
        model = DocumentTemplate
        fields = (
            "name",
            "code",
            "kind",
            "category",
            "description",
            "step_types",
            "body",
            "is_active",
        )
        widgets = {"body": forms.Textarea(attrs={"rows": 30, "cols": 120, "spellcheck": "false"})}

    def clean_body(self) -> str:
        body = str(self.cleaned_data.get("body") or "")
        try:
            compile_body(body)
        except TemplateProblem as problem:
            raise forms.ValidationError(
                f"This template cannot be saved: {problem.describe()}"
            ) from problem
        return body


class DocumentTemplateVersionInline(admin.TabularInline):
    model = DocumentTemplateVersion
    fields = ("number", "name", "kind", "created_at", "created_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-number",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PreviewForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24, "cols": 120, "spellcheck": "false"}),
        max_length=MAX_BODY_CHARS,
        help_text="Change it here to try it out; this page saves nothing.",
    )
    step = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**62,
        label="Completed step ID",
        help_text="Leave empty to preview with made-up sample data.",
    )


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    form = DocumentTemplateForm
    list_display = ("name", "code", "kind", "category", "version", "is_active", "updated_at")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    filter_horizontal = ("step_types",)
    readonly_fields = ("version", "updated_at", "updated_by")
    inlines = [DocumentTemplateVersionInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # generated documents point at their versions: retire with "active" instead

    def save_model(
        self, request: HttpRequest, obj: DocumentTemplate, form: Any, change: bool
    ) -> None:
        template_save(actor=request.user, template=obj)  # type: ignore[arg-type]

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="documents_documenttemplate_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Render the template (or an edited body) against a completed step or sample data."""
        template = self.get_object(request, str(object_id))
        if template is None or not self.has_view_or_change_permission(request, template):
            raise Http404("No such template.")
        problem = ""
        rendered_note = ""
        if request.method == "POST":
            form = PreviewForm(request.POST)
            if form.is_valid():
                try:
                    html = _preview_html(request, template, form.cleaned_data)
                except TemplateProblem as error:
                    problem = error.describe()
                except ValidationError as error:
                    form.add_error("step", error)
                else:
                    if "pdf" in request.POST:
                        response = HttpResponse(render_pdf(html), content_type="application/pdf")
                        response["Content-Disposition"] = 'inline; filename="preview.pdf"'
                        response["Content-Security-Policy"] = FILE_CSP
                        response["X-Content-Type-Options"] = "nosniff"
                        return response
                    rendered_note = (
                        f"No problems: the document rendered ({len(html):,} characters of HTML)."
                    )
        else:
            form = PreviewForm(initial={"body": template.body})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": template,
            "title": f"Preview {template.name}",
            "form": form,
            "problem": problem,
            "rendered_note": rendered_note,
        }
        status = 400 if problem or form.errors else 200
        return TemplateResponse(
            request, "admin/documents/documenttemplate/preview.html", context, status=status
        )


def _preview_html(request: HttpRequest, template: DocumentTemplate, data: dict[str, Any]) -> str:
    body = data["body"]
    if not data.get("step"):
        context = sample_context()
        content = render_body(body, context)
        context.update(
            body=Markup(content),  # noqa: S704 (rendered by the autoescaping sandbox)
            kind=template.kind,
            recipient={
                "name": "Ms Sample Person",
                "address_lines": context["person"]["address"]["lines"],
            },
            service="Social care",
        )
        return render_body(read_layout(), context)
    try:
        step = access_step(request.user, int(data["step"]))
    except Http404 as missing:
        raise ValidationError("There is no step with that ID that you may see.") from missing
    if step.status != Step.Status.COMPLETED:
        raise ValidationError("Choose a completed step.")
    person = step.person
    if person is None and step.group_id is not None:
        person = (
            Person.objects.filter(group_memberships__group_id=step.group_id).order_by("pk").first()
        )
    if person is None:
        raise ValidationError("The step has nobody to write about.")
    audit.record_access(
        actor=request.user,  # type: ignore[arg-type]
        action="preview",
        person_id=person.pk,
        object_type="step",
        object_id=step.pk,
        summary=f"Previewed document template “{template.name}” with {step.step_type.name}",
    )
    return render_html(
        step=step,
        person=person,
        author=request.user,  # type: ignore[arg-type]
        body=body,
        kind=template.kind,
        title=template.name,
    ).html
