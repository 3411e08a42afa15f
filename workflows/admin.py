"""The workflow configuration in the Django admin: workflows, step types, forms and their versions.

A published form version is read-only here (open steps keep it); a form changes by a new
draft version, edited and then published with the actions on the form and version lists.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Max, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from workflows import facts
from workflows.form_versions import (
    form_version_create_draft,
    form_version_publish,
    next_version_number,
    open_draft,
)
from workflows.forms_engine import FormDefinitionError, iter_fields
from workflows.models import (
    Form,
    FormField,
    FormSection,
    FormVersion,
    StepType,
    Transition,
    Workflow,
)
from workflows.packs import (
    CHOICE_KINDS,
    FIELD_KEY,
    NUMBER_KINDS,
    TEXT_KINDS,
    Question,
    condition_problems,
    questions_of_schema,
)


def _condition_errors(condition: Any, questions: dict[str, Question]) -> list[str]:
    return [
        f"{where}: {reason}" if where else reason
        for where, reason in condition_problems(condition, questions)
    ]


def _latest_questions(form: Form | None) -> dict[str, Question] | None:
    version = form.latest_published() if form is not None else None
    if version is None:
        return None
    return questions_of_schema(iter_fields(version.schema))


def _is_published(obj: Any) -> bool:
    if isinstance(obj, FormVersion):
        return obj.is_published
    if isinstance(obj, FormSection):
        return obj.version.is_published
    if isinstance(obj, FormField):
        return obj.section.version.is_published
    return False


class _HiddenFromIndex:
    """Reached from their form version, not listed on the admin's front page."""

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        return {}


class _DraftOnly:
    """Rows of a published version are read-only: open steps depend on them."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class _DraftOnlyInline(_DraftOnly):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_add_permission(request, obj)  # type: ignore[misc]


# -- workflows and step types ----------------------------------------------------------------


class StepTypeSummaryInline(admin.TabularInline):
    model = StepType
    fields = (
        "order",
        "name",
        "code",
        "form",
        "subject",
        "is_entry_point",
        "requires_authorisation",
        "timescale",
    )
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Timescale")
    def timescale(self, obj: StepType) -> str:
        if obj.timescale_amount is None:
            return "—"
        return f"{obj.timescale_amount} {obj.get_timescale_unit_display().lower()} from {obj.timescale_from}"


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "service", "is_active", "step_type_count"]
    list_filter = ["service", "is_active"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ("name",)}
    inlines = [StepTypeSummaryInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Workflow]:
        return super().get_queryset(request).annotate(step_type_total=Count("step_types"))

    @admin.display(description="Step types", ordering="step_type_total")
    def step_type_count(self, obj: Workflow) -> int:
        return int(getattr(obj, "step_type_total", 0))


class TransitionFormSet(BaseInlineFormSet):
    """Checks each next action's condition against the questions of the step type's form."""

    def clean(self) -> None:
        super().clean()
        step_type: StepType = self.instance
        questions = _latest_questions(step_type.form) if step_type.form_id else None
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            condition = form.cleaned_data.get("condition")
            if condition and questions is not None:
                for message in _condition_errors(condition, questions):
                    form.add_error("condition", message)
            if form.cleaned_data.get("to_step_type") and form.cleaned_data.get("closure_reason"):
                form.add_error(
                    "closure_reason",
                    "Only no further action (no next step type) has a closure reason.",
                )


class TransitionForm(forms.ModelForm):
    class Meta:
        model = Transition
        fields = ["order", "label", "to_step_type", "condition", "closure_reason"]

    def clean_condition(self) -> dict[str, Any]:
        # An emptied box means no condition (always offered), not a missing value.
        return self.cleaned_data.get("condition") or {}


class TransitionInline(admin.TabularInline):
    model = Transition
    form = TransitionForm
    fk_name = "from_step_type"
    formset = TransitionFormSet
    fields = ["order", "label", "to_step_type", "condition", "closure_reason"]
    autocomplete_fields = ["to_step_type"]
    extra = 0


class StepTypeForm(forms.ModelForm):
    class Meta:
        model = StepType
        fields = [
            "workflow",
            "name",
            "code",
            "description",
            "order",
            "form",
            "subject",
            "event_date_field",
            "chronology_category",
            "is_entry_point",
            "start_roles",
            "default_assignee",
            "default_team",
            "timescale_amount",
            "timescale_unit",
            "timescale_from",
            "requires_authorisation",
            "authoriser_role",
            "fact_mappings",
        ]

    def clean_fact_mappings(self) -> Any:
        return self.cleaned_data.get("fact_mappings") or []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        form = cleaned.get("form")
        if form is None:
            return cleaned
        questions = _latest_questions(form)
        if questions is None:
            self.add_error(
                "form", "This form has no published version yet: publish one before using it."
            )
            return cleaned
        try:
            facts.check_mappings(cleaned.get("fact_mappings", []), set(questions))
        except facts.MappingError as error:
            self.add_error("fact_mappings", str(error))
        event_date_field = cleaned.get("event_date_field")
        if event_date_field:
            kind = questions.get(event_date_field, ("", None))[0]
            if kind != "date":
                self.add_error(
                    "event_date_field",
                    f"The form has no date question '{event_date_field}'."
                    if not kind
                    else f"'{event_date_field}' is not a date question.",
                )
        source = cleaned.get("timescale_from") or "start"
        if source not in ("start", "previous"):
            code = source.removeprefix("step:")
            if not source.startswith("step:") or not StepType.objects.filter(code=code).exists():
                self.add_error(
                    "timescale_from",
                    "Enter start, previous, or step: followed by an existing step type's code.",
                )
        if cleaned.get("authoriser_role") and not cleaned.get("requires_authorisation"):
            self.add_error(
                "authoriser_role", "Tick 'requires authorisation' or leave the role empty."
            )
        return cleaned


@admin.register(StepType)
class StepTypeAdmin(admin.ModelAdmin):
    form = StepTypeForm
    list_display = [
        "name",
        "code",
        "workflow",
        "form",
        "is_entry_point",
        "requires_authorisation",
        "default_assignee",
    ]
    list_filter = ["workflow", "is_entry_point", "requires_authorisation", "subject"]
    search_fields = ["name", "code"]
    list_select_related = ["workflow", "form"]
    autocomplete_fields = ["form", "default_team"]
    filter_horizontal = ["start_roles"]
    inlines = [TransitionInline]
    fieldsets = [
        (None, {"fields": ["workflow", "name", "code", "description", "order"]}),
        (
            "Recording",
            {"fields": ["form", "subject", "event_date_field", "chronology_category"]},
        ),
        (
            "Starting",
            {"fields": ["is_entry_point", "start_roles", "default_assignee", "default_team"]},
        ),
        ("Timescale", {"fields": ["timescale_amount", "timescale_unit", "timescale_from"]}),
        ("Authorisation", {"fields": ["requires_authorisation", "authoriser_role"]}),
        ("Statutory facts", {"fields": ["fact_mappings"]}),
    ]


# -- forms and their versions ------------------------------------------------------------------


def _draft_for_each(modeladmin: admin.ModelAdmin, request: HttpRequest, forms_: list[Form]) -> None:
    for form in forms_:
        try:
            draft = form_version_create_draft(actor=request.user, form=form)  # type: ignore[arg-type]
        except FormDefinitionError as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
            continue
        link = reverse("admin:workflows_formversion_change", args=[draft.pk])
        modeladmin.message_user(
            request,
            format_html(
                '{} version {} is a new draft: <a href="{}">change its questions</a>, then publish it.',
                form.name,
                draft.number,
                link,
            ),
            messages.SUCCESS,
        )


class FormVersionInline(admin.TabularInline):
    model = FormVersion
    fields = ("number", "status", "published_at", "notes")
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False
    ordering = ["-number"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Form)
class FormAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "latest_published_number", "draft_number"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ("name",)}
    inlines = [FormVersionInline]
    actions = ["create_draft"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Form]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                published_number=Max(
                    "versions__number", filter=Q(versions__status=FormVersion.Status.PUBLISHED)
                ),
                newest_number=Max("versions__number"),
            )
        )

    @admin.display(description="Published version", ordering="published_number")
    def latest_published_number(self, obj: Form) -> str:
        number = getattr(obj, "published_number", None)
        return f"v{number}" if number else "—"

    @admin.display(description="Draft")
    def draft_number(self, obj: Form) -> str:
        # The newest version is the open draft when no published version is as new.
        newest = getattr(obj, "newest_number", None)
        published = getattr(obj, "published_number", None) or 0
        return f"v{newest}" if newest and newest > published else "—"

    @admin.action(
        description="Create a new draft version from the latest published", permissions=["change"]
    )
    def create_draft(self, request: HttpRequest, queryset: QuerySet[Form]) -> None:
        _draft_for_each(self, request, list(queryset))


class FormVersionForm(forms.ModelForm):
    class Meta:
        model = FormVersion
        fields = ["form", "notes"]

    def clean_form(self) -> Form:
        form: Form = self.cleaned_data["form"]
        if self.instance.pk is None:
            draft = open_draft(form)
            if draft is not None:
                raise forms.ValidationError(
                    f"{form.name} already has a draft, version {draft.number}: change that one."
                )
        elif form.pk != self.instance.form_id:
            raise forms.ValidationError("A version stays with its form.")
        return form

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is None and cleaned.get("form") is not None:
            # A new version is the form's next number, and starts as a draft.
            self.instance.number = next_version_number(cleaned["form"])
            self.instance.status = FormVersion.Status.DRAFT
        return cleaned


class FormSectionInline(_DraftOnlyInline, admin.TabularInline):
    model = FormSection
    fields = ["order", "key", "title", "description", "question_count"]
    readonly_fields = ["question_count"]
    show_change_link = True
    extra = 0

    @admin.display(description="Questions")
    def question_count(self, obj: FormSection) -> int:
        return obj.fields.count() if obj.pk else 0


@admin.register(FormVersion)
class FormVersionAdmin(_DraftOnly, admin.ModelAdmin):
    form = FormVersionForm
    list_display = ["form", "number", "status", "published_at", "step_count"]
    list_filter = ["status", "form"]
    search_fields = ["form__name", "form__code"]
    list_select_related = ["form"]
    readonly_fields = ["number", "status", "published_at"]
    inlines = [FormSectionInline]
    actions = ["create_draft", "publish"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[FormVersion]:
        return super().get_queryset(request).annotate(step_total=Count("steps"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "form"] if obj is not None else fields

    @admin.display(description="Steps recorded on it", ordering="step_total")
    def step_count(self, obj: FormVersion) -> int:
        return int(getattr(obj, "step_total", 0))

    @admin.action(
        description="Create a new draft version from the latest published", permissions=["change"]
    )
    def create_draft(self, request: HttpRequest, queryset: QuerySet[FormVersion]) -> None:
        forms_ = {version.form_id: version.form for version in queryset.select_related("form")}
        _draft_for_each(self, request, list(forms_.values()))

    @admin.action(description="Publish", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[FormVersion]) -> None:
        for version in queryset.select_related("form").order_by("form__name", "number"):
            if version.is_published:
                self.message_user(request, f"{version} is already published.", messages.WARNING)
                continue
            try:
                form_version_publish(actor=request.user, version=version)  # type: ignore[arg-type]
            except FormDefinitionError as error:
                self.message_user(request, f"{version} was not published: {error}", messages.ERROR)
                continue
            self.message_user(
                request,
                f"{version} is published: steps started from now on use it; open steps keep "
                "the version they started with.",
                messages.SUCCESS,
            )


class FormFieldForm(forms.ModelForm):
    """Checks a question the way publishing will, so mistakes show next to the question."""

    class Meta:
        model = FormField
        fields = [
            "section",
            "parent",
            "order",
            "key",
            "label",
            "hint",
            "kind",
            "is_required",
            "code_list",
            "choices",
            "show_if",
            "min_value",
            "max_value",
            "max_length",
        ]

    def clean_key(self) -> str:
        key: str = self.cleaned_data["key"]
        if not FIELD_KEY.match(key):
            raise forms.ValidationError(
                "Use lower-case letters, digits and underscores, starting with a letter."
            )
        return key

    def clean_show_if(self) -> Any:
        return self.cleaned_data.get("show_if") or {}

    def clean_choices(self) -> Any:
        choices = self.cleaned_data.get("choices") or []
        if not isinstance(choices, list) or any(
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(part, str) and part for part in pair)
            for pair in choices
        ):
            raise forms.ValidationError('Write choices as [["code", "Label"], ...].')
        return choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        section: FormSection | None = cleaned.get("section") or getattr(
            self.instance, "section", None
        )
        if kind in CHOICE_KINDS:
            if cleaned.get("code_list") and cleaned.get("choices"):
                self.add_error("choices", "Give either a code list or choices, not both.")
            elif (
                "code_list" in self.fields
                and not cleaned.get("code_list")
                and not cleaned.get("choices")
            ):
                self.add_error("code_list", "A choice question needs a code list or choices.")
        elif kind:
            for name in ("code_list", "choices"):
                if cleaned.get(name):
                    self.add_error(name, "Only choice questions have choices.")
        if kind and kind not in NUMBER_KINDS:
            for name in ("min_value", "max_value"):
                if cleaned.get(name) is not None:
                    self.add_error(name, "Only number and money questions have limits.")
        if kind and kind not in TEXT_KINDS and cleaned.get("max_length"):
            self.add_error("max_length", "Only text questions have a maximum length.")
        parent: FormField | None = cleaned.get("parent")
        if parent is not None:
            if parent.kind != FormField.Kind.REPEATING_GROUP:
                self.add_error("parent", "A question can only be inside a repeating group.")
            elif section is not None and parent.section_id != section.pk:
                self.add_error("parent", "The repeating group must be in the same section.")
            elif kind == FormField.Kind.REPEATING_GROUP:
                self.add_error("parent", "A repeating group cannot hold another repeating group.")
            elif self.instance.pk is not None and parent.pk == self.instance.pk:
                self.add_error("parent", "A question cannot be inside itself.")
        if section is not None:
            if _is_published(section):
                raise forms.ValidationError(
                    "This version is published: its questions never change."
                )
            self._check_against_version(section, cleaned, parent)
        return cleaned

    def _check_against_version(
        self, section: FormSection, cleaned: dict[str, Any], parent: FormField | None
    ) -> None:
        key = cleaned.get("key")
        others = FormField.objects.filter(section__version_id=section.version_id)
        if self.instance.pk is not None:
            others = others.exclude(pk=self.instance.pk)
        if key and parent is None and others.filter(key=key, parent__isnull=True).exists():
            self.add_error("key", f"Another question on this version has the key '{key}'.")
        condition = cleaned.get("show_if")
        if not condition:
            return
        siblings = (
            others.filter(parent=parent)
            if parent is not None
            else others.filter(parent__isnull=True)
        )
        questions: dict[str, Question] = {}
        for row in siblings.select_related("code_list").prefetch_related("code_list__codes"):
            codes = (
                frozenset(code.code for code in row.code_list.codes.all())
                if row.code_list is not None
                else frozenset(choice[0] for choice in row.choices)
            )
            questions[row.key] = (row.kind, codes if row.kind in CHOICE_KINDS else None)
        for message in _condition_errors(condition, questions):
            self.add_error("show_if", message)


class FormFieldInline(_DraftOnlyInline, admin.StackedInline):
    model = FormField
    form = FormFieldForm
    extra = 0
    show_change_link = True
    autocomplete_fields = ["code_list"]
    fieldsets = [
        (None, {"fields": [("order", "key", "kind", "is_required"), "label", "hint", "parent"]}),
        (
            "Choices, limits and display",
            {
                "fields": [
                    "code_list",
                    "choices",
                    ("min_value", "max_value", "max_length"),
                    "show_if",
                ]
            },
        ),
    ]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "parent":
            section_id = (
                request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            )
            kwargs["queryset"] = FormField.objects.filter(
                section_id=section_id, kind=FormField.Kind.REPEATING_GROUP
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(FormSection)
class FormSectionAdmin(_HiddenFromIndex, _DraftOnly, admin.ModelAdmin):
    list_display = ["title", "key", "version", "order"]
    list_select_related = ["version__form"]
    search_fields = ["title", "key", "version__form__name"]
    fields = ["version", "order", "key", "title", "description"]
    inlines = [FormFieldInline]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "version":
            kwargs["queryset"] = FormVersion.objects.filter(
                status=FormVersion.Status.DRAFT
            ).select_related("form")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["version"] if obj is not None else []


@admin.register(FormField)
class FormFieldAdmin(_HiddenFromIndex, _DraftOnly, admin.ModelAdmin):
    form = FormFieldForm
    list_display = ["label", "key", "kind", "section", "version_link"]
    list_filter = ["kind"]
    list_select_related = ["section__version__form"]
    search_fields = ["key", "label", "section__version__form__name"]
    autocomplete_fields = ["code_list"]
    fieldsets = [
        (None, {"fields": ["section"]}),
        *FormFieldInline.fieldsets,
    ]

    @admin.display(description="Version")
    def version_link(self, obj: FormField) -> str:
        version = obj.section.version
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:workflows_formversion_change", args=[version.pk]),
            version,
        )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "section":
            kwargs["queryset"] = FormSection.objects.filter(
                version__status=FormVersion.Status.DRAFT
            ).select_related("version__form")
        elif db_field.name == "parent":
            kwargs["queryset"] = FormField.objects.filter(
                kind=FormField.Kind.REPEATING_GROUP,
                section__version__status=FormVersion.Status.DRAFT,
            ).select_related("section")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["section"] if obj is not None else []
