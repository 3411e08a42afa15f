"""Configuration packs: a council's process configuration as YAML (docs/configuration-packs.md).

`pack_import` reads a pack, checks all of it against itself and the database, and then
writes it in one transaction, or writes nothing and raises `PackError` naming every
problem as "file: path.inside.the.pack: reason". `pack_export` writes the database's
configuration back as a pack, deterministically: importing an export into an empty
database and exporting again gives the same text.

Packs are read with a safe loader that also refuses anchors and aliases (an alias bomb
expands a few lines into gigabytes), repeated keys, and files over 5 MB. Plain scalars
follow YAML 1.2's core schema: only true/false are booleans (`yes`, `no`, `on` and `off`
are text, so a code list may hold them), and dates stay text, as answers hold them.
"""

from __future__ import annotations

import decimal
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.models import Group as Role
from django.db import connection, transaction

from casemgmt.audit import created, diff, record_change, snapshot
from casemgmt.models import Code, CodeList, Team, User
from workflows import facts
from workflows.forms_engine import FormDefinitionError, check_schema, publish_version
from workflows.models import (
    Form,
    FormField,
    FormSection,
    FormVersion,
    StepType,
    Transition,
    Workflow,
)

MAX_PACK_BYTES = 5 * 1024 * 1024
# The packs the product ships, loaded by `manage.py load_packs`.
PACKS_DIRECTORY = Path(__file__).resolve().parent / "packs"
MAX_NESTING = 40
# Serialises imports: two at once would each see the other's half-written configuration.
_IMPORT_LOCK = 0x7061636B

SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")
# Field keys are the keys of stored answers and of error messages ("<group>-<i>-<child>"),
# so they are lower-case words joined by underscores, never hyphens.
FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]*\Z")
KINDS = tuple(FormField.Kind.values)
CHOICE_KINDS = ("choice", "multiple_choice")
NUMBER_KINDS = ("number", "money")
TEXT_KINDS = ("text", "long_text")
OPERATORS = ("equals", "in", "contains", "not_empty")
TIMESCALE_UNITS = tuple(StepType.TimescaleUnit.values)
ASSIGNEES = tuple(StepType.Assignee.values)
SUBJECTS = tuple(StepType.Subject.values)
SERVICES = tuple(Workflow.Service.values)
MONEY_PLACES = decimal.Decimal("0.01")
LIMIT_BOUND = decimal.Decimal("1e12")


class PackError(ValueError):
    """A pack that cannot be imported: `problems` lists each as "file: path: reason"."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# -- what a pack holds ---------------------------------------------------------------------
# `path` is where an entry was read in its file, for messages; it takes no part in equality,
# so an entry read from a pack compares equal to the same entry built from the database.


@dataclass
class CodeEntry:
    code: str
    label: str
    is_active: bool = True


@dataclass
class CodeListEntry:
    key: str
    name: str
    description: str = ""
    codes: list[CodeEntry] = field(default_factory=list)
    path: str = field(default="", compare=False)


@dataclass
class FieldEntry:
    key: str
    label: str
    kind: str
    required: bool = False
    hint: str = ""
    code_list: str = ""
    choices: list[list[str]] = field(default_factory=list)
    show_if: dict[str, Any] = field(default_factory=dict)
    min: decimal.Decimal | None = None
    max: decimal.Decimal | None = None
    max_length: int | None = None
    fields: list[FieldEntry] = field(default_factory=list)
    path: str = field(default="", compare=False)


@dataclass
class SectionEntry:
    key: str
    title: str
    description: str = ""
    fields: list[FieldEntry] = field(default_factory=list)
    path: str = field(default="", compare=False)


@dataclass
class VersionEntry:
    number: int
    status: str
    notes: str = ""
    sections: list[SectionEntry] = field(default_factory=list)
    path: str = field(default="", compare=False)

    @property
    def is_published(self) -> bool:
        return self.status == FormVersion.Status.PUBLISHED


@dataclass
class FormEntry:
    code: str
    name: str
    description: str = ""
    versions: list[VersionEntry] = field(default_factory=list)
    path: str = field(default="", compare=False)
    # Read with problems: its questions are not known for sure, so checks that need them
    # are skipped rather than reported twice.
    broken: bool = field(default=False, compare=False)


@dataclass
class ActionEntry:
    label: str
    to: str = ""
    condition: dict[str, Any] = field(default_factory=dict)
    closure_reason: str = ""
    path: str = field(default="", compare=False)


@dataclass
class StepTypeEntry:
    code: str
    name: str
    form: str
    description: str = ""
    subject: str = StepType.Subject.PERSON
    entry_point: bool = False
    start_roles: list[str] = field(default_factory=list)
    default_assignee: str = StepType.Assignee.STARTER
    default_team: str = ""
    timescale_amount: int | None = None
    timescale_unit: str = StepType.TimescaleUnit.WORKING_DAYS
    timescale_from: str = "start"
    event_date_field: str = ""
    requires_authorisation: bool = False
    authoriser_role: str = ""
    chronology_category: str = ""
    facts: list[dict[str, Any]] = field(default_factory=list)
    next_actions: list[ActionEntry] = field(default_factory=list)
    path: str = field(default="", compare=False)


@dataclass
class WorkflowEntry:
    code: str
    name: str
    service: str
    description: str = ""
    is_active: bool = True
    step_types: list[StepTypeEntry] = field(default_factory=list)
    path: str = field(default="", compare=False)


@dataclass
class Pack:
    code: str
    name: str
    code_lists: list[CodeListEntry] = field(default_factory=list)
    forms: list[FormEntry] = field(default_factory=list)
    workflows: list[WorkflowEntry] = field(default_factory=list)


@dataclass
class ImportResult:
    """What an import did: rows created and changed, by kind ("form version", ...)."""

    pack: str
    name: str
    filename: str
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def summary(self) -> str:
        parts = []
        for verb, counts in (
            ("created", self.created),
            ("updated", self.updated),
            ("removed", self.removed),
        ):
            if counts:
                listed = ", ".join(
                    f"{count} {_plural(kind, count)}" for kind, count in counts.items()
                )
                parts.append(f"{verb} {listed}")
        done = "; ".join(parts) if parts else "nothing to change, already up to date"
        return f"{self.filename}: pack '{self.pack}' ({self.name}): {done}"


def _plural(kind: str, count: int) -> str:
    return kind if count == 1 else f"{kind}s"


# -- reading YAML safely -------------------------------------------------------------------


class _PackResolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema for plain scalars: text unless plainly a number, true/false or null."""


_PackResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_PackResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_PackResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+][0-9]+)?$"),
    list("-+0123456789."),
)
_PackResolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


class _PackConstructor(yaml.constructor.SafeConstructor):
    """The safe constructor, refusing a key written twice in one mapping (YAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                repeated = key in seen
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be text", key_node.start_mark
                ) from None
            if repeated:
                raise yaml.constructor.ConstructorError(
                    "in this mapping",
                    node.start_mark,
                    f"'{key}' is written twice",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _parser_class() -> Any:
    try:
        from yaml._yaml import CParser  # libyaml: many times faster than the Python parser
    except ImportError:  # PyYAML built without libyaml reads the same documents, slower

        class PythonParser(
            yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer
        ):
            def __init__(self, stream: str) -> None:
                yaml.reader.Reader.__init__(self, stream)
                yaml.scanner.Scanner.__init__(self)
                yaml.parser.Parser.__init__(self)
                yaml.composer.Composer.__init__(self)

        return PythonParser
    return CParser


_Parser: Any = _parser_class()


class _PackLoader(_Parser, _PackConstructor, _PackResolver):
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _PackConstructor.__init__(self)
        _PackResolver.__init__(self)


def _mark(error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""


def _load_yaml(text: str, problems: _Problems) -> Any:
    """The parsed document, or None with the problem added."""
    if len(text.encode("utf-8", errors="surrogatepass")) > MAX_PACK_BYTES:
        problems.add("", f"the file is larger than {MAX_PACK_BYTES // (1024 * 1024)} MB")
        return None
    try:
        depth = 0
        # A first pass over the events refuses aliases before anything is built from them.
        for event in yaml.parse(text, Loader=_PackLoader):
            if isinstance(event, yaml.AliasEvent):
                problems.add(
                    _event_place(event),
                    f"aliases (*{event.anchor}) are not allowed in a pack: write the value out",
                )
                return None
            anchor = getattr(event, "anchor", None)
            if anchor:
                problems.add(
                    _event_place(event),
                    f"anchors (&{anchor}) are not allowed in a pack: write the value out",
                )
                return None
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING:
                    problems.add(_event_place(event), f"nested more than {MAX_NESTING} levels deep")
                    return None
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        loader = _PackLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        reason = " ".join(part for part in (error.context, error.problem) if part)
        problems.add(_mark(error), f"not valid YAML: {reason}")
    except yaml.YAMLError as error:
        problems.add("", f"not valid YAML: {error}")
    return None


def _event_place(event: yaml.Event) -> str:
    mark = event.start_mark
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""


# -- checking the structure ------------------------------------------------------------------


class _Problems:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.items: list[str] = []

    def add(self, path: str, reason: str) -> None:
        self.items.append(
            f"{self.filename}: {path}: {reason}" if path else f"{self.filename}: {reason}"
        )

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text '{shown}'"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _max_length(model: Any, name: str) -> int | None:
    limit: int | None = model._meta.get_field(name).max_length
    return limit


class _Reader:
    """Turns the parsed YAML into entries, noting every problem and carrying on."""

    def __init__(self, problems: _Problems) -> None:
        self.problems = problems
        self.in_draft = False

    # small typed readers

    def mapping(
        self, value: Any, path: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problems.add(path, f"expected a mapping, found {_describe(value)}")
            return None
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                expected = ", ".join(sorted(allowed))
                self.problems.add(_at(path, str(key)), f"unknown key (expected one of: {expected})")
        for key in required:
            if key not in value:
                self.problems.add(path, f"missing '{key}'")
        return value

    def text(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        limit: int | None = None,
        required: bool = False,
    ) -> str:
        if key not in data:
            return ""
        return self.plain_text(data[key], _at(path, key), limit=limit, required=required)

    def plain_text(
        self, value: Any, where: str, *, limit: int | None = None, required: bool = False
    ) -> str:
        if value is None:
            if required:
                self.problems.add(where, "must not be empty")
            return ""
        if not isinstance(value, str):
            self.problems.add(where, f"expected text, found {_describe(value)}")
            return ""
        if "\x00" in value:
            self.problems.add(where, "must not contain a NUL character")
            return ""
        if limit is not None and len(value) > limit:
            self.problems.add(where, f"must be {limit} characters or fewer")
        if required and not value.strip():
            self.problems.add(where, "must not be empty")
        return value

    def slug(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        limit: int | None,
        pattern: re.Pattern[str] = SLUG,
        what: str = "letters, digits, hyphens and underscores",
    ) -> str:
        value = self.text(data, key, path, limit=limit)
        if value and not pattern.match(value):
            self.problems.add(_at(path, key), f"'{value}' must be {what}")
            return ""
        return value

    def boolean(self, data: dict[str, Any], key: str, path: str, default: bool = False) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.problems.add(_at(path, key), f"expected true or false, found {_describe(value)}")
            return default
        return value

    def integer(self, value: Any, path: str, *, minimum: int = 0) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.add(path, f"expected a whole number, found {_describe(value)}")
            return None
        if value < minimum:
            self.problems.add(path, f"must be {minimum} or more")
            return None
        return value

    def listing(self, data: dict[str, Any], key: str, path: str) -> list[Any]:
        value = data.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.add(_at(path, key), f"expected a list, found {_describe(value)}")
            return []
        return value

    def one_of(
        self, data: dict[str, Any], key: str, path: str, options: tuple[str, ...], default: str
    ) -> str:
        value = data.get(key, default)
        if value not in options:
            self.problems.add(
                _at(path, key), f"{_describe(value)} is not one of: {', '.join(options)}"
            )
            return default
        return str(value)

    def code(self, value: Any, path: str, *, limit: int | None) -> str:
        # Codes are text; a plain number (a CIN code such as 8) is read as its digits.
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.problems.add(path, f"a code must be text, found {_describe(value)}")
            return ""
        if limit is not None and len(value) > limit:
            self.problems.add(path, f"must be {limit} characters or fewer")
        return value

    def json_value(self, value: Any, path: str, depth: int = 0) -> bool:
        """Whether a literal can be stored as JSON as it is (no dates, no binary)."""
        if value is None or isinstance(value, bool | int | str):
            return True
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                self.problems.add(path, "must be a finite number")
                return False
            return True
        if isinstance(value, list) and depth < 3:
            return all(
                self.json_value(item, _at(path, i), depth + 1) for i, item in enumerate(value)
            )
        self.problems.add(
            path, f"a value here is text, a number, true/false or a list, not {_describe(value)}"
        )
        return False

    # the pack

    def pack(self, data: Any) -> Pack | None:
        top = self.mapping(data, "", ("pack", "name"), ("code_lists", "forms", "workflows"))
        if top is None:
            return None
        pack = Pack(
            code=self.slug(top, "pack", "", limit=60),
            name=self.text(top, "name", "", limit=150, required=True),
        )
        for index, item in enumerate(self.listing(top, "code_lists", "")):
            code_list = self.code_list(item, _at("code_lists", index))
            if code_list is not None:
                pack.code_lists.append(code_list)
        for index, item in enumerate(self.listing(top, "forms", "")):
            form = self.form(item, _at("forms", index))
            if form is not None:
                pack.forms.append(form)
        for index, item in enumerate(self.listing(top, "workflows", "")):
            workflow = self.workflow(item, _at("workflows", index))
            if workflow is not None:
                pack.workflows.append(workflow)
        self.duplicates(pack)
        return pack

    def duplicates(self, pack: Pack) -> None:
        def check(entries: Iterable[Any], attribute: str, what: str) -> None:
            seen: dict[str, str] = {}
            for entry in entries:
                value = getattr(entry, attribute)
                if not value:
                    continue
                if value in seen:
                    self.problems.add(
                        _at(entry.path, attribute),
                        f"the {what} '{value}' is also used at {seen[value]}",
                    )
                else:
                    seen[value] = entry.path

        check(pack.code_lists, "key", "code list key")
        check(pack.forms, "code", "form code")
        check(pack.workflows, "code", "workflow code")
        check(
            (step for workflow in pack.workflows for step in workflow.step_types),
            "code",
            "step type code",
        )

    def code_list(self, item: Any, path: str) -> CodeListEntry | None:
        data = self.mapping(item, path, ("key", "name", "codes"), ("description",))
        if data is None:
            return None
        entry = CodeListEntry(
            key=self.slug(data, "key", path, limit=_max_length(CodeList, "key")),
            name=self.text(data, "name", path, limit=_max_length(CodeList, "name"), required=True),
            description=self.text(data, "description", path),
            path=path,
        )
        seen: dict[str, int] = {}
        code_limit = _max_length(Code, "code")
        label_limit = _max_length(Code, "label")
        for index, raw in enumerate(self.listing(data, "codes", path)):
            where = _at(_at(path, "codes"), index)
            if isinstance(raw, list):
                if len(raw) != 2:
                    self.problems.add(where, "a code is written [code, label]")
                    continue
                code = CodeEntry(
                    code=self.code(raw[0], _at(where, 0), limit=code_limit),
                    label=self.plain_text(raw[1], _at(where, 1), limit=label_limit, required=True),
                )
            else:
                mapped = self.mapping(raw, where, ("code", "label"), ("is_active",))
                if mapped is None:
                    continue
                code = CodeEntry(
                    code=self.code(mapped.get("code"), _at(where, "code"), limit=code_limit),
                    label=self.text(mapped, "label", where, limit=label_limit, required=True),
                    is_active=self.boolean(mapped, "is_active", where, default=True),
                )
            if code.code in seen:
                self.problems.add(
                    where, f"the code '{code.code}' is also at codes[{seen[code.code]}]"
                )
            elif code.code:
                seen[code.code] = index
                entry.codes.append(code)
        if "codes" in data and data["codes"] == []:
            self.problems.add(_at(path, "codes"), "a code list needs at least one code")
        return entry

    def form(self, item: Any, path: str) -> FormEntry | None:
        before = len(self.problems)
        data = self.mapping(item, path, ("code", "name", "versions"), ("description",))
        if data is None:
            return None
        entry = FormEntry(
            code=self.slug(data, "code", path, limit=_max_length(Form, "code")),
            name=self.text(data, "name", path, limit=_max_length(Form, "name"), required=True),
            description=self.text(data, "description", path),
            path=path,
        )
        raw_versions = self.listing(data, "versions", path)
        if "versions" in data and not raw_versions:
            self.problems.add(_at(path, "versions"), "a form needs at least one version")
        previous = 0
        for index, raw in enumerate(raw_versions):
            version = self.version(raw, _at(_at(path, "versions"), index))
            if version is None:
                continue
            if version.number <= previous:
                self.problems.add(
                    _at(version.path, "number"),
                    f"versions are listed oldest first, each with a higher number than the one "
                    f"before (version {version.number} follows version {previous})",
                )
            previous = max(previous, version.number)
            entry.versions.append(version)
        drafts = [version for version in entry.versions if not version.is_published]
        if drafts and (len(drafts) > 1 or drafts[0] is not entry.versions[-1]):
            self.problems.add(
                drafts[0].path, "a form has at most one draft version, and it is the newest"
            )
        entry.broken = len(self.problems) > before
        return entry

    def version(self, item: Any, path: str) -> VersionEntry | None:
        data = self.mapping(item, path, ("number", "status", "sections"), ("notes",))
        if data is None:
            return None
        number = (
            self.integer(data.get("number"), _at(path, "number"), minimum=1)
            if "number" in data
            else None
        )
        entry = VersionEntry(
            number=number or 0,
            status=self.one_of(data, "status", path, tuple(FormVersion.Status.values), "draft"),
            notes=self.text(data, "notes", path),
            path=path,
        )
        # A draft is work in progress: it may still have an empty section or group.
        self.in_draft = not entry.is_published
        raw_sections = self.listing(data, "sections", path)
        if "sections" in data and not raw_sections and not self.in_draft:
            self.problems.add(_at(path, "sections"), "a version needs at least one section")
        sections: dict[str, str] = {}
        keys: dict[str, str] = {}
        for index, raw in enumerate(raw_sections):
            where = _at(_at(path, "sections"), index)
            section = self.section(raw, where)
            if section is None:
                continue
            if section.key in sections:
                self.problems.add(
                    _at(where, "key"),
                    f"the section key '{section.key}' is also used at {sections[section.key]}",
                )
            sections[section.key] = where
            for question in section.fields:
                if question.key in keys:
                    self.problems.add(
                        _at(question.path, "key"),
                        f"the question key '{question.key}' is also used at {keys[question.key]}",
                    )
                keys.setdefault(question.key, question.path)
            entry.sections.append(section)
        return entry if number else None

    def section(self, item: Any, path: str) -> SectionEntry | None:
        data = self.mapping(item, path, ("key", "title", "fields"), ("description",))
        if data is None:
            return None
        entry = SectionEntry(
            key=self.slug(data, "key", path, limit=_max_length(FormSection, "key")),
            title=self.text(
                data, "title", path, limit=_max_length(FormSection, "title"), required=True
            ),
            description=self.text(data, "description", path),
            path=path,
        )
        entry.fields = self.fields(data, path, in_group=False)
        if "fields" in data and data["fields"] == [] and not self.in_draft:
            self.problems.add(_at(path, "fields"), "a section needs at least one question")
        return entry

    def fields(self, data: dict[str, Any], path: str, *, in_group: bool) -> list[FieldEntry]:
        found: list[FieldEntry] = []
        for index, raw in enumerate(self.listing(data, "fields", path)):
            question = self.question(raw, _at(_at(path, "fields"), index), in_group=in_group)
            if question is not None:
                found.append(question)
        return found

    def question(self, item: Any, path: str, *, in_group: bool) -> FieldEntry | None:
        data = self.mapping(
            item,
            path,
            ("key", "label", "kind"),
            (
                "required",
                "hint",
                "code_list",
                "choices",
                "show_if",
                "min",
                "max",
                "max_length",
                "fields",
            ),
        )
        if data is None:
            return None
        entry = FieldEntry(
            key=self.slug(
                data,
                "key",
                path,
                limit=_max_length(FormField, "key"),
                pattern=FIELD_KEY,
                what="lower-case letters, digits and underscores, starting with a letter",
            ),
            label=self.text(
                data, "label", path, limit=_max_length(FormField, "label"), required=True
            ),
            kind=self.one_of(data, "kind", path, KINDS, "text"),
            required=self.boolean(data, "required", path),
            hint=self.text(data, "hint", path, limit=_max_length(FormField, "hint")),
            path=path,
        )
        kind = entry.kind

        def only_for(key: str, kinds: tuple[str, ...], what: str) -> bool:
            if key in data and kind not in kinds:
                self.problems.add(_at(path, key), f"only {what} have '{key}' (this is {kind})")
                return False
            return key in data

        if only_for("code_list", CHOICE_KINDS, "choice questions"):
            entry.code_list = self.slug(data, "code_list", path, limit=_max_length(CodeList, "key"))
        if only_for("choices", CHOICE_KINDS, "choice questions"):
            entry.choices = self.choices(data["choices"], _at(path, "choices"))
        if kind in CHOICE_KINDS:
            if "code_list" in data and "choices" in data:
                self.problems.add(path, "give either a code_list or choices, not both")
            elif "code_list" not in data and "choices" not in data:
                self.problems.add(path, "a choice question needs a code_list or choices")
        if only_for("min", NUMBER_KINDS, "number and money questions"):
            entry.min = self.limit(data["min"], _at(path, "min"))
        if only_for("max", NUMBER_KINDS, "number and money questions"):
            entry.max = self.limit(data["max"], _at(path, "max"))
        if entry.min is not None and entry.max is not None and entry.min > entry.max:
            self.problems.add(_at(path, "max"), "must not be less than min")
        if only_for("max_length", TEXT_KINDS, "text questions"):
            entry.max_length = self.integer(data["max_length"], _at(path, "max_length"), minimum=1)
        if "show_if" in data:
            condition = data["show_if"]
            if isinstance(condition, dict) and condition:
                entry.show_if = condition
            else:
                self.problems.add(
                    _at(path, "show_if"),
                    f"expected a condition mapping, found {_describe(condition)}",
                )
        if kind == FormField.Kind.REPEATING_GROUP:
            if in_group:
                self.problems.add(path, "a repeating group cannot hold another repeating group")
            entry.fields = self.fields(data, path, in_group=True)
            if "fields" not in data:
                self.problems.add(path, "a repeating group needs its questions under 'fields'")
            elif data["fields"] == [] and not self.in_draft:
                self.problems.add(
                    _at(path, "fields"), "a repeating group needs at least one question"
                )
            seen: dict[str, str] = {}
            for child in entry.fields:
                if child.key in seen:
                    self.problems.add(
                        _at(child.path, "key"),
                        f"the question key '{child.key}' is also used at {seen[child.key]}",
                    )
                seen.setdefault(child.key, child.path)
        elif "fields" in data:
            self.problems.add(
                _at(path, "fields"), f"only a repeating group has fields (this is {kind})"
            )
        return entry

    def choices(self, value: Any, path: str) -> list[list[str]]:
        if not isinstance(value, list) or not value:
            self.problems.add(path, "expected a list of [code, label] pairs")
            return []
        found: list[list[str]] = []
        seen: set[str] = set()
        for index, pair in enumerate(value):
            where = _at(path, index)
            if not isinstance(pair, list) or len(pair) != 2:
                self.problems.add(where, "a choice is written [code, label]")
                continue
            code = self.code(pair[0], _at(where, 0), limit=60)
            label = self.plain_text(pair[1], _at(where, 1), limit=300, required=True)
            if code in seen:
                self.problems.add(where, f"the code '{code}' is listed twice")
                continue
            seen.add(code)
            found.append([code, label])
        return found

    def limit(self, value: Any, path: str) -> decimal.Decimal | None:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.problems.add(path, f"expected a number, found {_describe(value)}")
            return None
        try:
            number = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            self.problems.add(path, f"expected a number, found {_describe(value)}")
            return None
        if not number.is_finite() or abs(number) >= LIMIT_BOUND:
            self.problems.add(path, "must be a number below a trillion")
            return None
        if number != number.quantize(MONEY_PLACES):
            self.problems.add(path, "can have at most two decimal places")
            return None
        return number.quantize(MONEY_PLACES)

    def workflow(self, item: Any, path: str) -> WorkflowEntry | None:
        data = self.mapping(
            item, path, ("code", "name", "service", "step_types"), ("description", "is_active")
        )
        if data is None:
            return None
        entry = WorkflowEntry(
            code=self.slug(data, "code", path, limit=_max_length(Workflow, "code")),
            name=self.text(data, "name", path, limit=_max_length(Workflow, "name"), required=True),
            service=self.one_of(data, "service", path, SERVICES, SERVICES[0]),
            description=self.text(data, "description", path),
            is_active=self.boolean(data, "is_active", path, default=True),
            path=path,
        )
        for index, raw in enumerate(self.listing(data, "step_types", path)):
            step_type = self.step_type(raw, _at(_at(path, "step_types"), index))
            if step_type is not None:
                entry.step_types.append(step_type)
        return entry

    def step_type(self, item: Any, path: str) -> StepTypeEntry | None:
        data = self.mapping(
            item,
            path,
            ("code", "name", "form"),
            (
                "description",
                "subject",
                "entry_point",
                "start_roles",
                "default_assignee",
                "default_team",
                "timescale",
                "event_date_field",
                "authorisation",
                "chronology_category",
                "facts",
                "next_actions",
            ),
        )
        if data is None:
            return None
        entry = StepTypeEntry(
            code=self.slug(data, "code", path, limit=_max_length(StepType, "code")),
            name=self.text(data, "name", path, limit=_max_length(StepType, "name"), required=True),
            form=self.slug(data, "form", path, limit=_max_length(Form, "code")),
            description=self.text(data, "description", path),
            subject=self.one_of(data, "subject", path, SUBJECTS, StepType.Subject.PERSON),
            entry_point=self.boolean(data, "entry_point", path),
            default_assignee=self.one_of(
                data, "default_assignee", path, ASSIGNEES, StepType.Assignee.STARTER
            ),
            default_team=self.slug(data, "default_team", path, limit=_max_length(Team, "code")),
            event_date_field=self.slug(
                data, "event_date_field", path, limit=60, pattern=FIELD_KEY, what="a question key"
            ),
            chronology_category=self.text(
                data,
                "chronology_category",
                path,
                limit=_max_length(StepType, "chronology_category"),
            ),
            path=path,
        )
        roles_path = _at(path, "start_roles")
        for index, role in enumerate(self.listing(data, "start_roles", path)):
            if isinstance(role, str) and role:
                if role in entry.start_roles:
                    self.problems.add(_at(roles_path, index), f"the role '{role}' is listed twice")
                else:
                    entry.start_roles.append(role)
            else:
                self.problems.add(
                    _at(roles_path, index), f"expected a role name, found {_describe(role)}"
                )
        if "timescale" in data:
            self.timescale(data["timescale"], _at(path, "timescale"), entry)
        if "authorisation" in data:
            where = _at(path, "authorisation")
            authorisation = self.mapping(data["authorisation"], where, (), ("role",))
            if authorisation is not None:
                entry.requires_authorisation = True
                entry.authoriser_role = self.text(authorisation, "role", where, limit=150)
        facts_path = _at(path, "facts")
        for index, raw in enumerate(self.listing(data, "facts", path)):
            mapping = self.fact_mapping(raw, _at(facts_path, index))
            if mapping is not None:
                entry.facts.append(mapping)
        targets: dict[str, str] = {}
        for index, raw in enumerate(self.listing(data, "next_actions", path)):
            action = self.action(raw, _at(_at(path, "next_actions"), index))
            if action is None:
                continue
            if action.to and action.to in targets:
                self.problems.add(
                    _at(action.path, "to"),
                    f"'{action.to}' is already a next action at {targets[action.to]}: "
                    "give it one entry, with a condition covering both cases",
                )
                continue
            if action.to:
                targets[action.to] = action.path
            entry.next_actions.append(action)
        return entry

    def timescale(self, value: Any, path: str, entry: StepTypeEntry) -> None:
        data = self.mapping(value, path, ("amount",), ("unit", "from"))
        if data is None:
            return
        if "amount" in data:
            entry.timescale_amount = self.integer(data["amount"], _at(path, "amount"))
        entry.timescale_unit = self.one_of(data, "unit", path, TIMESCALE_UNITS, TIMESCALE_UNITS[0])
        source = data.get("from", "start")
        if source in ("start", "previous") or (
            isinstance(source, str) and source.startswith("step:") and SLUG.match(source[5:])
        ):
            entry.timescale_from = source
        else:
            self.problems.add(
                _at(path, "from"),
                f"{_describe(source)} is not 'start', 'previous' or 'step:<step type code>'",
            )

    def fact_mapping(self, value: Any, path: str) -> dict[str, Any] | None:
        data = self.mapping(value, path, ("fact",), ("values",))
        if data is None:
            return None
        name = data.get("fact")
        if not isinstance(name, str) or not name:
            self.problems.add(_at(path, "fact"), f"expected a fact name, found {_describe(name)}")
            return None
        values = data.get("values", {})
        if values is None:
            values = {}
        if not isinstance(values, dict):
            self.problems.add(_at(path, "values"), f"expected a mapping, found {_describe(values)}")
            return None
        clean: dict[str, Any] = {}
        for target, source in values.items():
            where = _at(_at(path, "values"), str(target))
            if isinstance(source, dict):
                if set(source) != {"value"}:
                    self.problems.add(where, "a literal is written {value: ...}")
                    continue
                if not self.json_value(source["value"], _at(where, "value")):
                    continue
            elif not isinstance(source, str):
                self.problems.add(
                    where,
                    f"expected 'answers.<key>', 'step.<date>' or {{value: ...}}, found {_describe(source)}",
                )
                continue
            clean[str(target)] = source
        return {"fact": name, "values": clean}

    def action(self, value: Any, path: str) -> ActionEntry | None:
        data = self.mapping(value, path, ("label",), ("to", "condition", "closure_reason"))
        if data is None:
            return None
        entry = ActionEntry(
            label=self.text(
                data, "label", path, limit=_max_length(Transition, "label"), required=True
            ),
            to=self.slug(data, "to", path, limit=_max_length(StepType, "code")),
            closure_reason=self.text(
                data, "closure_reason", path, limit=_max_length(Transition, "closure_reason")
            ),
            path=path,
        )
        if entry.to and entry.closure_reason:
            self.problems.add(
                _at(path, "closure_reason"),
                "only no further action (a next action without 'to') has a closure reason",
            )
        if "condition" in data:
            condition = data["condition"]
            if isinstance(condition, dict) and condition:
                entry.condition = condition
            else:
                self.problems.add(
                    _at(path, "condition"),
                    f"expected a condition mapping, found {_describe(condition)}",
                )
        return entry


def _read(text: str, problems: _Problems) -> Pack | None:
    data = _load_yaml(text, problems)
    if problems:
        return None
    if data is None:
        problems.add("", "the file is empty")
        return None
    return _Reader(problems).pack(data)


def pack_read(*, text: str, filename: str) -> Pack:
    """The pack's entries, checked on their own (not against the database)."""
    problems = _Problems(filename)
    pack = _read(text, problems)
    if problems or pack is None:
        raise PackError(problems.items)
    return pack


# -- conditions --------------------------------------------------------------------------------

# What a condition may be checked against: a question's kind and, for choices, its codes.
Question = tuple[str, frozenset[str] | None]


def questions_of_schema(fields: Iterable[dict[str, Any]]) -> dict[str, Question]:
    return {
        question["key"]: (
            question["kind"],
            frozenset(choice[0] for choice in question.get("choices", []))
            if question["kind"] in CHOICE_KINDS
            else None,
        )
        for question in fields
    }


def condition_problems(
    condition: Any, questions: dict[str, Question], *, depth: int = 0
) -> Iterator[tuple[str, str]]:
    """Why a show_if or next-action condition cannot work: (path inside it, reason) pairs."""
    if not isinstance(condition, dict) or not condition:
        yield "", f"expected a condition mapping, found {_describe(condition)}"
        return
    if depth > 8:
        yield "", "conditions are nested too deeply"
        return
    if "all" in condition or "any" in condition:
        if len(condition) != 1:
            yield "", "'all' or 'any' stands alone in its condition"
            return
        combinator, parts = next(iter(condition.items()))
        if not isinstance(parts, list) or not parts:
            yield combinator, "expected a list of conditions"
            return
        for index, part in enumerate(parts):
            for where, reason in condition_problems(part, questions, depth=depth + 1):
                yield (
                    _at(_at(combinator, index), where) if where else _at(combinator, index),
                    reason,
                )
        return
    unknown = sorted(str(key) for key in condition if key != "field" and key not in OPERATORS)
    if unknown:
        yield (
            unknown[0],
            (
                "unknown key in a condition (expected field with one of equals, in, contains, "
                "not_empty; or all/any)"
            ),
        )
        return
    operators = [key for key in OPERATORS if key in condition]
    name = condition.get("field")
    if not isinstance(name, str) or not name:
        yield "field", f"expected a question key, found {_describe(name)}"
        return
    if len(operators) != 1:
        yield "", "a condition has exactly one of equals, in, contains or not_empty"
        return
    if name not in questions:
        yield "field", f"the form has no question '{name}'"
        return
    operator = operators[0]
    value = condition[operator]
    kind, codes = questions[name]
    if operator == "not_empty":
        if value is not True:
            yield operator, "not_empty is written not_empty: true"
        return
    if kind in ("repeating_group", "attachment"):
        yield operator, f"a {kind.replace('_', ' ')} answer can only be tested with not_empty"
        return
    if kind == "multiple_choice" and operator != "contains":
        yield operator, "test a multiple choice answer with contains"
        return
    if operator == "contains" and kind != "multiple_choice":
        yield operator, "contains tests a multiple choice answer; use equals or in"
        return
    if operator == "in":
        if not isinstance(value, list) or not value:
            yield operator, "expected a list of values"
            return
        for index, item in enumerate(value):
            reason = _value_problem(kind, codes, item, name)
            if reason:
                yield _at(operator, index), reason
        return
    reason = _value_problem(kind, codes, value, name)
    if reason:
        yield operator, reason


def _value_problem(kind: str, codes: frozenset[str] | None, value: Any, name: str) -> str:
    if kind == "yes_no":
        if not isinstance(value, bool):
            return (
                f"'{name}' is a yes/no question: compare with true or false, not {_describe(value)}"
            )
    elif kind in CHOICE_KINDS:
        if codes is not None and value not in codes:
            return f"{_describe(value)} is not one of the choices of '{name}'"
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"'{name}' is a number: compare with a number, not {_describe(value)}"
    elif kind == "money":
        if not isinstance(value, str) or not re.match(r"^-?[0-9]+\.[0-9]{2}\Z", value):
            return f"'{name}' is money: compare with text in pounds and pence, like '12.50'"
    elif kind == "person":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"'{name}' is a person: compare with a person's id"
    elif not isinstance(value, str):
        return f"'{name}' is answered with text: compare with text, not {_describe(value)}"
    return ""


# -- schemas -----------------------------------------------------------------------------------


def _field_schema(
    question: FieldEntry, choices_of: Callable[[str], list[list[str]]]
) -> dict[str, Any]:
    """The compiled form of a question, as `forms_engine.compile_version` writes it."""
    schema: dict[str, Any] = {
        "key": question.key,
        "label": question.label,
        "kind": question.kind,
        "required": question.required,
    }
    if question.hint:
        schema["hint"] = question.hint
    if question.kind in CHOICE_KINDS:
        if question.code_list:
            schema["code_list"] = question.code_list
            schema["choices"] = choices_of(question.code_list)
        else:
            schema["choices"] = [list(choice) for choice in question.choices]
    if question.show_if:
        schema["show_if"] = question.show_if
    if question.min is not None:
        schema["min"] = str(question.min)
    if question.max is not None:
        schema["max"] = str(question.max)
    if question.max_length:
        schema["max_length"] = question.max_length
    if question.kind == FormField.Kind.REPEATING_GROUP:
        schema["fields"] = [_field_schema(child, choices_of) for child in question.fields]
    return schema


def _version_schema(
    form: FormEntry, version: VersionEntry, choices_of: Callable[[str], list[list[str]]]
) -> dict[str, Any]:
    return {
        "form": form.code,
        "version": version.number,
        "title": form.name,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "description": section.description,
                "fields": [_field_schema(question, choices_of) for question in section.fields],
            }
            for section in version.sections
        ],
    }


def _definition(schema: dict[str, Any]) -> dict[str, Any]:
    """A compiled schema without what belongs to others: the form's current name, and the
    codes of code lists (which grow on their own; a published version keeps the codes it
    was published with)."""

    def strip(question: dict[str, Any]) -> dict[str, Any]:
        kept = {
            key: value
            for key, value in question.items()
            if not (key == "choices" and question.get("code_list"))
        }
        if "fields" in kept:
            kept["fields"] = [strip(child) for child in kept["fields"]]
        return kept

    return {
        "form": schema.get("form"),
        "version": schema.get("version"),
        "sections": [
            {**section, "fields": [strip(question) for question in section.get("fields", [])]}
            for section in schema.get("sections", [])
        ],
    }


def _difference(stored: dict[str, Any], wanted: dict[str, Any]) -> str:
    def questions(schema: dict[str, Any]) -> dict[str, Any]:
        return {
            question["key"]: question
            for section in schema["sections"]
            for question in section["fields"]
        }

    before, after = questions(stored), questions(wanted)
    parts = []
    added = [key for key in after if key not in before]
    removed = [key for key in before if key not in after]
    changed = [key for key in after if key in before and after[key] != before[key]]
    if added:
        parts.append("questions added: " + ", ".join(added))
    if removed:
        parts.append("questions removed: " + ", ".join(removed))
    if changed:
        parts.append("questions changed: " + ", ".join(changed))
    if not parts:
        parts.append("sections or the order of questions changed")
    return "; ".join(parts)


# -- checking against the database -------------------------------------------------------------


class _Checker:
    """Checks a pack's references to itself and the database, before anything is written."""

    def __init__(self, pack: Pack, problems: _Problems) -> None:
        self.pack = pack
        self.problems = problems
        form_codes = {form.code for form in pack.forms} | {
            step.form for workflow in pack.workflows for step in workflow.step_types
        }
        self.db_forms = {
            form.code: form
            for form in Form.objects.filter(code__in=form_codes).prefetch_related("versions")
        }
        pack_lists = {entry.key: entry for entry in pack.code_lists}
        referenced = {
            question.code_list
            for form in pack.forms
            for version in form.versions
            for question in _all_fields(version)
            if question.code_list
        }
        self.db_codes: dict[str, list[tuple[str, str, bool]]] = {}
        for code_list in CodeList.objects.filter(
            key__in=referenced | set(pack_lists)
        ).prefetch_related("codes"):
            self.db_codes[code_list.key] = [
                (code.code, code.label, code.is_active)
                for code in sorted(
                    code_list.codes.all(), key=lambda c: (c.sort_order, c.label, c.code)
                )
            ]
        self.pack_lists = pack_lists
        every_step_type = [step for workflow in pack.workflows for step in workflow.step_types]
        self.pack_step_types = {step.code: step for step in every_step_type}
        wanted_steps = {
            action.to for step in every_step_type for action in step.next_actions if action.to
        } | {
            step.timescale_from[5:]
            for step in every_step_type
            if step.timescale_from.startswith("step:")
        }
        self.db_step_types = set(
            StepType.objects.filter(code__in=wanted_steps).values_list("code", flat=True)
        )
        role_names = {
            name
            for step in every_step_type
            for name in [*step.start_roles, step.authoriser_role]
            if name
        }
        self.roles = set(Role.objects.filter(name__in=role_names).values_list("name", flat=True))
        team_codes = {step.default_team for step in every_step_type if step.default_team}
        self.teams = set(Team.objects.filter(code__in=team_codes).values_list("code", flat=True))
        # The questions each form's steps will be recorded on: its newest published version.
        self.latest: dict[str, dict[str, Any] | None] = {}
        self.broken_forms: set[str] = set()

    def choices_of(self, key: str) -> list[list[str]]:
        codes = {code: (label, active) for code, label, active in self.db_codes.get(key, [])}
        order = list(codes)
        entry = self.pack_lists.get(key)
        if entry is not None:
            for code in entry.codes:
                if code.code not in codes:
                    order.append(code.code)
                codes[code.code] = (code.label, code.is_active)
        return [[code, codes[code][0]] for code in order if codes[code][1]]

    def run(self) -> None:
        for form in self.pack.forms:
            if form.broken:
                self.broken_forms.add(form.code)
            else:
                self.check_form(form)
        for code in {step.form for step in self.pack_step_types.values()}:
            if code not in self.latest and code not in self.broken_forms and code in self.db_forms:
                self.latest[code] = self.latest_of_database(code)
        for workflow in self.pack.workflows:
            for step in workflow.step_types:
                self.check_step_type(step)

    def latest_of_database(self, code: str) -> dict[str, Any] | None:
        form = self.db_forms.get(code)
        if form is None:
            return None
        published = [version for version in form.versions.all() if version.is_published]
        if not published:
            return None
        return max(published, key=lambda version: version.number).schema

    def check_form(self, form: FormEntry) -> None:
        stored = {
            version.number: version
            for version in (
                self.db_forms[form.code].versions.all() if form.code in self.db_forms else []
            )
        }
        latest: tuple[int, dict[str, Any]] | None = None
        broken = False
        for version in form.versions:
            schema = self.check_version(form, version)
            if schema is None:
                broken = True
                continue
            existing = stored.get(version.number)
            if existing is not None and existing.is_published:
                if not version.is_published:
                    self.problems.add(
                        _at(version.path, "status"),
                        f"version {version.number} of '{form.code}' is published in the "
                        "database; a published version cannot become a draft again",
                    )
                elif _definition(existing.schema) != _definition(schema):
                    self.problems.add(
                        version.path,
                        f"version {version.number} of '{form.code}' is published in the "
                        f"database and the pack's differs from it "
                        f"({_difference(_definition(existing.schema), _definition(schema))}): "
                        "published versions never change, so give the new content a new "
                        "version number",
                    )
            if version.is_published and (latest is None or version.number > latest[0]):
                latest = (version.number, schema)
        for number, existing in stored.items():
            if existing.is_published and (latest is None or number > latest[0]):
                latest = (number, existing.schema)
        if broken:
            # Its questions are unknown: checks that need them are skipped, not guessed.
            self.broken_forms.add(form.code)
            return
        self.latest[form.code] = latest[1] if latest else None

    def check_version(self, form: FormEntry, version: VersionEntry) -> dict[str, Any] | None:
        before = len(self.problems)
        for question in _all_fields(version):
            if (
                question.code_list
                and question.code_list not in self.pack_lists
                and question.code_list not in self.db_codes
            ):
                self.problems.add(
                    _at(question.path, "code_list"), f"there is no code list '{question.code_list}'"
                )
            elif question.code_list and not self.choices_of(question.code_list):
                self.problems.add(
                    _at(question.path, "code_list"),
                    f"the code list '{question.code_list}' has no active codes",
                )
        schema = _version_schema(form, version, self.choices_of)
        top = questions_of_schema(
            question for section in schema["sections"] for question in section["fields"]
        )
        for section in version.sections:
            for question in section.fields:
                self.check_show_if(question, top)
                for child in question.fields:
                    siblings = questions_of_schema(
                        _field_schema(sibling, self.choices_of) for sibling in question.fields
                    )
                    self.check_show_if(child, {**top, **siblings})
        if len(self.problems) > before:
            return None
        if not version.is_published:
            return schema  # a draft is checked whole when it is published
        try:
            check_schema(schema)
        except FormDefinitionError as error:
            self.problems.add(version.path, str(error))
            return None
        return schema

    def check_show_if(self, question: FieldEntry, questions: dict[str, Question]) -> None:
        if not question.show_if:
            return
        where = _at(question.path, "show_if")
        for inner, reason in condition_problems(question.show_if, questions):
            self.problems.add(_at(where, inner) if inner else where, reason)
        if question.show_if.get("field") == question.key:
            self.problems.add(_at(where, "field"), "a question cannot depend on itself")

    def step_known(self, code: str) -> bool:
        return code in self.pack_step_types or code in self.db_step_types

    def check_step_type(self, step: StepTypeEntry) -> None:
        path = step.path
        schema = self.latest.get(step.form)
        checkable = schema is not None
        if not step.form or step.form in self.broken_forms:
            pass
        elif step.form not in self.latest:
            self.problems.add(_at(path, "form"), f"there is no form '{step.form}'")
        elif schema is None:
            self.problems.add(
                _at(path, "form"),
                f"the form '{step.form}' has no published version: steps are recorded on one",
            )
        for index, role in enumerate(step.start_roles):
            if role not in self.roles:
                self.problems.add(
                    _at(_at(path, "start_roles"), index), f"there is no role '{role}'"
                )
        if step.authoriser_role and step.authoriser_role not in self.roles:
            self.problems.add(
                _at(_at(path, "authorisation"), "role"),
                f"there is no role '{step.authoriser_role}'",
            )
        if step.default_team and step.default_team not in self.teams:
            self.problems.add(_at(path, "default_team"), f"there is no team '{step.default_team}'")
        if step.timescale_from.startswith("step:") and not self.step_known(step.timescale_from[5:]):
            self.problems.add(
                _at(_at(path, "timescale"), "from"),
                f"there is no step type '{step.timescale_from[5:]}'",
            )
        questions: dict[str, Question] = {}
        if checkable and schema is not None:
            top_fields = [
                question for section in schema["sections"] for question in section["fields"]
            ]
            questions = questions_of_schema(top_fields)
            if step.event_date_field:
                kind = questions.get(step.event_date_field, ("", None))[0]
                if not kind:
                    self.problems.add(
                        _at(path, "event_date_field"),
                        f"the form has no question '{step.event_date_field}'",
                    )
                elif kind != "date":
                    self.problems.add(
                        _at(path, "event_date_field"),
                        f"'{step.event_date_field}' is a {kind.replace('_', ' ')} question, not a date",
                    )
            self.check_facts(step, set(questions))
        for action in step.next_actions:
            if action.to and not self.step_known(action.to):
                self.problems.add(_at(action.path, "to"), f"there is no step type '{action.to}'")
            if action.condition and checkable:
                where = _at(action.path, "condition")
                for inner, reason in condition_problems(action.condition, questions):
                    self.problems.add(_at(where, inner) if inner else where, reason)

    def check_facts(self, step: StepTypeEntry, answer_keys: set[str]) -> None:
        for index, mapping in enumerate(step.facts):
            path = _at(_at(step.path, "facts"), index)
            before = len(self.problems)
            try:
                spec = facts.fact_spec(mapping["fact"])
            except facts.MappingError:
                self.problems.add(_at(path, "fact"), f"there is no fact '{mapping['fact']}'")
                continue
            for name, source in mapping["values"].items():
                where = _at(_at(path, "values"), name)
                if name not in spec.fields:
                    self.problems.add(where, f"'{name}' is not a field of the fact '{spec.name}'")
                    continue
                if isinstance(source, dict):
                    continue
                origin, _, key = source.partition(".")
                if origin == "answers":
                    if key not in answer_keys:
                        self.problems.add(where, f"the form has no question '{key}'")
                elif origin == "step":
                    if key not in facts.STEP_VALUES:
                        self.problems.add(
                            where,
                            f"the step has no '{key}' (it has {', '.join(facts.STEP_VALUES)})",
                        )
                else:
                    self.problems.add(
                        where,
                        f"expected 'answers.<key>', 'step.<date>' or {{value: ...}}, found '{source}'",
                    )
            missing = sorted(spec.required - set(mapping["values"]))
            if missing:
                self.problems.add(
                    _at(path, "values"), f"the fact '{spec.name}' needs: {', '.join(missing)}"
                )
            if len(self.problems) == before:
                # The registry's own check has the last word on anything added to it later.
                try:
                    facts.check_mappings([mapping], answer_keys)
                except facts.MappingError as error:
                    self.problems.add(path, str(error))


def _all_fields(version: VersionEntry) -> Iterator[FieldEntry]:
    for section in version.sections:
        for question in section.fields:
            yield question
            yield from question.fields


# -- writing -----------------------------------------------------------------------------------


class _Writer:
    def __init__(self, pack: Pack, actor: User | None, result: ImportResult) -> None:
        self.pack = pack
        self.actor = actor
        self.result = result

    def change(self, instance: Any, action: str, changes: dict[str, Any], summary: str) -> None:
        record_change(
            actor=self.actor,
            action=action,
            instance=instance,
            person_id=None,
            changes=changes,
            summary=summary,
            reason=f"configuration pack '{self.pack.code}' ({self.result.filename})",
        )

    def update(self, instance: Any, values: dict[str, Any], kind: str, label: str) -> bool:
        before = snapshot(instance, values)
        for name, value in values.items():
            setattr(instance, name, value)
        changes = diff(before, snapshot(instance, values))
        if not changes:
            return False
        instance.save(update_fields=list(values))
        self.result.updated[kind] += 1
        self.change(
            instance, f"{kind.replace(' ', '_')}_updated", changes, f"{label} updated from a pack"
        )
        return True

    def run(self) -> None:
        # Everything the pack names is read up front, so importing an unchanged pack (as
        # every start does) is a handful of queries, not a few for each entry.
        pack = self.pack
        every_step_type = [step for workflow in pack.workflows for step in workflow.step_types]
        lists = CodeList.objects.filter(key__in=[entry.key for entry in pack.code_lists])
        stored_lists = {row.key: row for row in lists.prefetch_related("codes")}
        for code_list in pack.code_lists:
            self.code_list(code_list, stored_lists.get(code_list.key))
        self.list_ids = dict(CodeList.objects.values_list("key", "id"))
        stored_forms = {
            form.code: form
            for form in Form.objects.filter(
                code__in=[entry.code for entry in pack.forms]
            ).prefetch_related("versions")
        }
        forms = {entry.code: self.form(entry, stored_forms.get(entry.code)) for entry in pack.forms}
        for code, form in Form.objects.filter(
            code__in={step.form for step in every_step_type} - set(forms)
        ).values_list("code", "pk"):
            forms[code] = form
        self.roles = {
            role.name: role
            for role in Role.objects.filter(
                name__in={
                    name
                    for step in every_step_type
                    for name in [*step.start_roles, step.authoriser_role]
                }
            )
        }
        self.teams = {
            team.code: team
            for team in Team.objects.filter(
                code__in={step.default_team for step in every_step_type}
            )
        }
        stored_steps = {
            step_type.code: step_type
            for step_type in StepType.objects.filter(
                code__in=[step.code for step in every_step_type]
            ).prefetch_related("start_roles", "transitions")
        }
        stored_workflows = {
            workflow.code: workflow
            for workflow in Workflow.objects.filter(
                code__in=[entry.code for entry in pack.workflows]
            )
        }
        step_types: dict[str, StepType] = {}
        for entry in pack.workflows:
            workflow = self.workflow(entry, stored_workflows.get(entry.code))
            for order, step_entry in enumerate(entry.step_types):
                step_types[step_entry.code] = self.step_type(
                    workflow, step_entry, order, forms, stored_steps.get(step_entry.code)
                )
        targets = {
            action.to
            for entry in self.pack.workflows
            for step_entry in entry.step_types
            for action in step_entry.next_actions
            if action.to
        }
        ids = dict(StepType.objects.filter(code__in=targets).values_list("code", "pk"))
        for entry in self.pack.workflows:
            for step_entry in entry.step_types:
                self.transitions(step_types[step_entry.code], step_entry, ids)

    def code_list(self, entry: CodeListEntry, code_list: CodeList | None) -> None:
        if code_list is None:
            code_list = CodeList.objects.create(
                key=entry.key, name=entry.name, description=entry.description
            )
            self.result.created["code list"] += 1
            self.change(
                code_list,
                "code_list_created",
                created(code_list, ["key", "name"]),
                f"Code list {entry.name} created from a pack",
            )
        else:
            self.update(
                code_list,
                {"name": entry.name, "description": entry.description},
                "code list",
                f"Code list {entry.name}",
            )
        existing = {code.code: code for code in code_list.codes.all()}
        added, changed = [], []
        for order, code in enumerate(entry.codes):
            row = existing.get(code.code)
            if row is None:
                Code.objects.create(
                    code_list=code_list,
                    code=code.code,
                    label=code.label,
                    sort_order=order,
                    is_active=code.is_active,
                )
                added.append(code.code)
                self.result.created["code"] += 1
            elif (row.label, row.sort_order, row.is_active) != (code.label, order, code.is_active):
                row.label, row.sort_order, row.is_active = code.label, order, code.is_active
                row.save(update_fields=["label", "sort_order", "is_active"])
                changed.append(code.code)
                self.result.updated["code"] += 1
        if added or changed:
            self.change(
                code_list,
                "code_list_codes_changed",
                {"codes_added": [None, added], "codes_changed": [None, changed]},
                f"Codes of {entry.name} added or changed from a pack",
            )

    def form(self, entry: FormEntry, form: Form | None) -> int:
        if form is None:
            form = Form.objects.create(
                code=entry.code, name=entry.name, description=entry.description
            )
            self.result.created["form"] += 1
            self.change(
                form,
                "form_created",
                created(form, ["code", "name"]),
                f"Form {entry.name} created from a pack",
            )
        else:
            self.update(
                form,
                {"name": entry.name, "description": entry.description},
                "form",
                f"Form {entry.name}",
            )
        stored = {version.number: version for version in form.versions.all()}
        for version_entry in entry.versions:
            version = stored.get(version_entry.number)
            if version is not None and version.is_published:
                continue  # checked identical already: published versions never change
            if version is None:
                version = FormVersion.objects.create(
                    form=form, number=version_entry.number, notes=version_entry.notes
                )
                self.write_rows(version, version_entry)
                self.result.created["form version"] += 1
                action = "form_version_created"
            else:
                if version_from_rows(version) == version_entry:
                    continue
                version.sections.all().delete()
                version.notes = version_entry.notes
                version.save(update_fields=["notes"])
                self.write_rows(version, version_entry)
                self.result.updated["form version"] += 1
                action = "form_version_replaced"
            if version_entry.is_published:
                publish_version(version)
            self.change(
                version,
                action,
                {"number": [None, version.number], "status": [None, version.status]},
                f"{form.name} version {version.number} ({version.get_status_display().lower()}) from a pack",
            )
        return form.pk

    def write_rows(self, version: FormVersion, entry: VersionEntry) -> None:
        sections = FormSection.objects.bulk_create(
            FormSection(
                version=version,
                key=section.key,
                title=section.title,
                description=section.description,
                order=order,
            )
            for order, section in enumerate(entry.sections)
        )
        top: list[tuple[FormField, FieldEntry]] = []
        for section_row, section in zip(sections, entry.sections, strict=True):
            top.extend(
                (self.field_row(section_row, question, order, None), question)
                for order, question in enumerate(section.fields)
            )
        FormField.objects.bulk_create(row for row, _ in top)
        FormField.objects.bulk_create(
            self.field_row(row.section, child, order, row)
            for row, question in top
            for order, child in enumerate(question.fields)
        )

    def field_row(
        self, section: FormSection, question: FieldEntry, order: int, parent: FormField | None
    ) -> FormField:
        return FormField(
            section=section,
            parent=parent,
            key=question.key,
            label=question.label,
            hint=question.hint,
            kind=question.kind,
            is_required=question.required,
            code_list_id=self.list_ids[question.code_list] if question.code_list else None,
            choices=question.choices,
            show_if=question.show_if,
            min_value=question.min,
            max_value=question.max,
            max_length=question.max_length,
            order=order,
        )

    def workflow(self, entry: WorkflowEntry, workflow: Workflow | None) -> Workflow:
        values = {
            "name": entry.name,
            "service": entry.service,
            "description": entry.description,
            "is_active": entry.is_active,
        }
        if workflow is None:
            workflow = Workflow.objects.create(code=entry.code, **values)
            self.result.created["workflow"] += 1
            self.change(
                workflow,
                "workflow_created",
                created(workflow, ["code", *values]),
                f"Workflow {entry.name} created from a pack",
            )
        else:
            self.update(workflow, values, "workflow", f"Workflow {entry.name}")
        return workflow

    def step_type(
        self,
        workflow: Workflow,
        entry: StepTypeEntry,
        order: int,
        forms: dict[str, int],
        step_type: StepType | None,
    ) -> StepType:
        roles = self.roles
        team = self.teams[entry.default_team] if entry.default_team else None
        values: dict[str, Any] = {
            "workflow": workflow,
            "name": entry.name,
            "description": entry.description,
            "form_id": forms[entry.form],
            "subject": entry.subject,
            "is_entry_point": entry.entry_point,
            "default_assignee": entry.default_assignee,
            "default_team": team,
            "timescale_amount": entry.timescale_amount,
            "timescale_unit": entry.timescale_unit,
            "timescale_from": entry.timescale_from,
            "event_date_field": entry.event_date_field,
            "requires_authorisation": entry.requires_authorisation,
            "authoriser_role": roles.get(entry.authoriser_role),
            "fact_mappings": entry.facts,
            "chronology_category": entry.chronology_category,
            "order": order,
        }
        wanted_roles = {roles[name].pk for name in entry.start_roles}
        if step_type is None:
            step_type = StepType.objects.create(code=entry.code, **values)
            step_type.start_roles.set(wanted_roles)
            self.result.created["step type"] += 1
            self.change(
                step_type,
                "step_type_created",
                {
                    **created(step_type, ["code", "name", "workflow", "form"]),
                    "start_roles": [None, sorted(entry.start_roles)],
                },
                f"Step type {entry.name} created from a pack",
            )
            return step_type
        fields = [name.removesuffix("_id") for name in values]
        before = snapshot(step_type, fields)
        for name, value in values.items():
            setattr(step_type, name, value)
        changes = diff(before, snapshot(step_type, fields))
        current_roles = {role.pk for role in step_type.start_roles.all()}
        if current_roles != wanted_roles:
            step_type.start_roles.set(wanted_roles)
            changes["start_roles"] = [sorted(current_roles), sorted(wanted_roles)]
        if changes:
            step_type.save(update_fields=[name for name in fields if name in changes])
            self.result.updated["step type"] += 1
            self.change(
                step_type,
                "step_type_updated",
                changes,
                f"Step type {entry.name} updated from a pack",
            )
        return step_type

    def transitions(self, step_type: StepType, entry: StepTypeEntry, ids: dict[str, int]) -> None:
        existing = list(step_type.transitions.all())
        unmatched = list(existing)
        changes: dict[str, list[Any]] = {"added": [], "changed": [], "removed": []}
        for order, action in enumerate(entry.next_actions):
            target = ids[action.to] if action.to else None
            row = next(
                (
                    candidate
                    for candidate in unmatched
                    if candidate.to_step_type_id == target
                    and (target is not None or candidate.label == action.label)
                ),
                None,
            )
            values = {
                "label": action.label,
                "condition": action.condition,
                "closure_reason": action.closure_reason,
                "order": order,
            }
            if row is None:
                Transition.objects.create(
                    from_step_type=step_type, to_step_type_id=target, **values
                )
                changes["added"].append(action.label)
                self.result.created["next action"] += 1
                continue
            unmatched.remove(row)
            before = snapshot(row, values)
            for name, value in values.items():
                setattr(row, name, value)
            if diff(before, snapshot(row, values)):
                row.save(update_fields=list(values))
                changes["changed"].append(action.label)
                self.result.updated["next action"] += 1
        for row in unmatched:
            changes["removed"].append(row.label)
            row.delete()
            self.result.removed["next action"] += 1
        if any(changes.values()):
            self.change(
                step_type,
                "step_type_next_actions_changed",
                {key: [None, value] for key, value in changes.items() if value},
                f"Next actions of {step_type.name} changed from a pack",
            )


def pack_import(*, actor: User | None, text: str, filename: str) -> ImportResult:
    """Import a pack whole, or nothing: PackError lists every problem as file: path: reason."""
    problems = _Problems(filename)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK])
        pack = _read(text, problems)
        if pack is not None:
            _Checker(pack, problems).run()
        if problems or pack is None:
            raise PackError(problems.items)
        result = ImportResult(pack=pack.code, name=pack.name, filename=filename)
        _Writer(pack, actor, result).run()
    return result


def pack_import_all(*, actor: User | None, packs: list[tuple[str, str]]) -> list[ImportResult]:
    """Import (filename, text) packs in order in one transaction: every one of them, or none."""
    with transaction.atomic():
        return [pack_import(actor=actor, text=text, filename=filename) for filename, text in packs]


def read_pack_file(path: Path, *, name: str | None = None) -> tuple[str, str]:
    """(name, text) of a pack file, refusing one too large or not UTF-8 before parsing it."""
    name = name or str(path)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_PACK_BYTES + 1)
    except OSError as error:
        raise PackError([f"{name}: cannot be read: {error.strerror or error}"]) from None
    if len(data) > MAX_PACK_BYTES:
        raise PackError([f"{name}: the file is larger than {MAX_PACK_BYTES // (1024 * 1024)} MB"])
    try:
        return name, data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PackError(
            [f"{name}: not UTF-8 text (byte {error.start + 1} cannot be read)"]
        ) from None


# -- exporting ---------------------------------------------------------------------------------


def _field_from_row(
    row: FormField, children: dict[int, list[FormField]], list_keys: dict[int, str]
) -> FieldEntry:
    return FieldEntry(
        key=row.key,
        label=row.label,
        kind=row.kind,
        required=row.is_required,
        hint=row.hint,
        code_list=list_keys[row.code_list_id] if row.code_list_id else "",
        choices=[[str(code), str(label)] for code, label in row.choices]
        if row.choices and not row.code_list_id
        else [],
        show_if=row.show_if or {},
        min=row.min_value,
        max=row.max_value,
        max_length=row.max_length,
        fields=[_field_from_row(child, children, list_keys) for child in children.get(row.pk, [])],
    )


def version_from_rows(version: FormVersion) -> VersionEntry:
    """A version's sections and questions as a pack holds them."""
    sections = list(version.sections.order_by("order", "id"))
    rows = list(
        FormField.objects.filter(section__version=version)
        .select_related("code_list")
        .order_by("order", "id")
    )
    list_keys = {
        row.code_list_id: row.code_list.key for row in rows if row.code_list_id and row.code_list
    }
    top: dict[int, list[FormField]] = {}
    children: dict[int, list[FormField]] = {}
    for row in rows:
        if row.parent_id is None:
            top.setdefault(row.section_id, []).append(row)
        else:
            children.setdefault(row.parent_id, []).append(row)
    return VersionEntry(
        number=version.number,
        status=version.status,
        notes=version.notes,
        sections=[
            SectionEntry(
                key=section.key,
                title=section.title,
                description=section.description,
                fields=[
                    _field_from_row(row, children, list_keys) for row in top.get(section.pk, [])
                ],
            )
            for section in sections
        ],
    )


def _exported_versions(form: Form) -> list[FormVersion]:
    versions = sorted(form.versions.all(), key=lambda version: version.number)
    published = [version for version in versions if version.is_published]
    newest = published[-1].number if published else 0
    drafts = [
        version for version in versions if not version.is_published and version.number > newest
    ]
    return published + drafts[-1:]


def _pack_from_database(workflow_codes: list[str] | None, code: str, name: str) -> Pack:
    workflows = Workflow.objects.order_by("code")
    if workflow_codes is not None:
        workflows = workflows.filter(code__in=workflow_codes)
        missing = sorted(set(workflow_codes) - set(workflows.values_list("code", flat=True)))
        if missing:
            raise PackError([f"there is no workflow '{code}'" for code in missing])
    step_types = (
        StepType.objects.filter(workflow__in=workflows)
        .select_related("form", "default_team", "authoriser_role")
        .prefetch_related("start_roles", "transitions__to_step_type")
        .order_by("order", "code")
    )
    by_workflow: dict[int, list[StepType]] = {}
    for step_type in step_types:
        by_workflow.setdefault(step_type.workflow_id, []).append(step_type)
    forms = Form.objects.order_by("code").prefetch_related("versions")
    if workflow_codes is not None:
        forms = forms.filter(pk__in={step_type.form_id for step_type in step_types})
    pack = Pack(code=code, name=name)
    for form in forms:
        pack.forms.append(
            FormEntry(
                code=form.code,
                name=form.name,
                description=form.description,
                versions=[version_from_rows(version) for version in _exported_versions(form)],
            )
        )
    used = sorted(
        {
            question.code_list
            for form_entry in pack.forms
            for version_entry in form_entry.versions
            for question in _all_fields(version_entry)
            if question.code_list
        }
    )
    for code_list in (
        CodeList.objects.filter(key__in=used).order_by("key").prefetch_related("codes")
    ):
        pack.code_lists.append(
            CodeListEntry(
                key=code_list.key,
                name=code_list.name,
                description=code_list.description,
                codes=[
                    CodeEntry(code=row.code, label=row.label, is_active=row.is_active)
                    for row in sorted(
                        code_list.codes.all(), key=lambda row: (row.sort_order, row.label, row.code)
                    )
                ],
            )
        )
    for workflow in workflows:
        pack.workflows.append(
            WorkflowEntry(
                code=workflow.code,
                name=workflow.name,
                service=workflow.service,
                description=workflow.description,
                is_active=workflow.is_active,
                step_types=[
                    _step_type_entry(step_type) for step_type in by_workflow.get(workflow.pk, [])
                ],
            )
        )
    return pack


def _step_type_entry(step_type: StepType) -> StepTypeEntry:
    return StepTypeEntry(
        code=step_type.code,
        name=step_type.name,
        form=step_type.form.code,
        description=step_type.description,
        subject=step_type.subject,
        entry_point=step_type.is_entry_point,
        start_roles=sorted(role.name for role in step_type.start_roles.all()),
        default_assignee=step_type.default_assignee,
        default_team=step_type.default_team.code if step_type.default_team else "",
        timescale_amount=step_type.timescale_amount,
        timescale_unit=step_type.timescale_unit,
        timescale_from=step_type.timescale_from,
        event_date_field=step_type.event_date_field,
        requires_authorisation=step_type.requires_authorisation,
        authoriser_role=step_type.authoriser_role.name if step_type.authoriser_role else "",
        chronology_category=step_type.chronology_category,
        facts=list(step_type.fact_mappings or []),
        next_actions=[
            ActionEntry(
                label=transition.label,
                to=transition.to_step_type.code if transition.to_step_type else "",
                condition=transition.condition or {},
                closure_reason=transition.closure_reason,
            )
            for transition in sorted(
                step_type.transitions.all(), key=lambda row: (row.order, row.pk)
            )
        ],
    )


def pack_export(*, workflows: list[str] | None = None, pack_code: str, name: str) -> str:
    """The configuration as a pack: every workflow (or those named), the forms their steps
    use (every form, when exporting everything) with every published version and the newest
    draft, and the code lists those forms use."""
    if not SLUG.match(pack_code):
        raise PackError(
            [f"the pack code '{pack_code}' must be letters, digits, hyphens and underscores"]
        )
    return pack_render(_pack_from_database(workflows, pack_code, name))


# -- writing YAML ------------------------------------------------------------------------------


class _Flow(list[Any]):
    """A short list written on one line: [code, label]."""


class _FlowMap(dict[str, Any]):
    """A short mapping written on one line: {field: decision, equals: nfa}."""


class _PackDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # packs never hold anchors or aliases: the loader refuses them

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Lists indented under their key, as people write them.
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value and value == value.strip() and "\t" not in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_str(value)


_PackDumper.add_representer(str, _represent_text)
_PackDumper.add_representer(
    _Flow,
    lambda dumper, value: dumper.represent_sequence(
        "tag:yaml.org,2002:seq", value, flow_style=True
    ),
)
_PackDumper.add_representer(
    _FlowMap,
    lambda dumper, value: dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True),
)


def _number(value: decimal.Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _condition_out(condition: Any) -> Any:
    """A condition with its keys in one order (the database does not keep JSON key order)."""
    if not isinstance(condition, dict):
        return condition
    ordered = _FlowMap()
    for key in ("all", "any"):
        if key in condition:
            ordered[key] = _Flow(_condition_out(part) for part in condition[key])
    for key in ("field", *OPERATORS):
        if key in condition:
            value = condition[key]
            ordered[key] = _Flow(value) if isinstance(value, list) else value
    for key in sorted(set(condition) - set(ordered), key=str):
        ordered[key] = condition[key]
    return ordered


def _question_out(question: FieldEntry) -> dict[str, Any]:
    out: dict[str, Any] = {"key": question.key, "label": question.label, "kind": question.kind}
    if question.required:
        out["required"] = True
    if question.hint:
        out["hint"] = question.hint
    if question.code_list:
        out["code_list"] = question.code_list
    elif question.kind in CHOICE_KINDS:
        out["choices"] = [_Flow(choice) for choice in question.choices]
    if question.show_if:
        out["show_if"] = _condition_out(question.show_if)
    if question.min is not None:
        out["min"] = _number(question.min)
    if question.max is not None:
        out["max"] = _number(question.max)
    if question.max_length:
        out["max_length"] = question.max_length
    if question.kind == FormField.Kind.REPEATING_GROUP:
        out["fields"] = [_question_out(child) for child in question.fields]
    return out


def _step_type_out(step: StepTypeEntry) -> dict[str, Any]:
    out: dict[str, Any] = {"code": step.code, "name": step.name}
    if step.description:
        out["description"] = step.description
    out["form"] = step.form
    out["subject"] = step.subject
    if step.entry_point:
        out["entry_point"] = True
    if step.start_roles:
        out["start_roles"] = _Flow(sorted(step.start_roles))
    out["default_assignee"] = step.default_assignee
    if step.default_team:
        out["default_team"] = step.default_team
    if step.timescale_amount is not None:
        out["timescale"] = _FlowMap(
            amount=step.timescale_amount, unit=step.timescale_unit, **{"from": step.timescale_from}
        )
    if step.event_date_field:
        out["event_date_field"] = step.event_date_field
    if step.requires_authorisation:
        out["authorisation"] = (
            _FlowMap(role=step.authoriser_role) if step.authoriser_role else _FlowMap()
        )
    if step.chronology_category:
        out["chronology_category"] = step.chronology_category
    if step.facts:
        out["facts"] = [
            {
                "fact": mapping["fact"],
                "values": {
                    name: _FlowMap(value=source["value"]) if isinstance(source, dict) else source
                    for name, source in sorted(mapping.get("values", {}).items())
                },
            }
            for mapping in step.facts
        ]
    if step.next_actions:
        actions = []
        for action in step.next_actions:
            item: dict[str, Any] = {"label": action.label}
            if action.to:
                item["to"] = action.to
            if action.condition:
                item["condition"] = _condition_out(action.condition)
            if action.closure_reason:
                item["closure_reason"] = action.closure_reason
            actions.append(item)
        out["next_actions"] = actions
    return out


def pack_render(pack: Pack) -> str:
    """The pack as YAML in its one canonical form: lists keyed by code sorted, keys in the
    order the format describes, defaults left out."""
    document: dict[str, Any] = {"pack": pack.code, "name": pack.name}
    document["code_lists"] = [
        {
            "key": entry.key,
            "name": entry.name,
            **({"description": entry.description} if entry.description else {}),
            "codes": [
                _Flow([code.code, code.label])
                if code.is_active
                else _FlowMap(code=code.code, label=code.label, is_active=False)
                for code in entry.codes
            ],
        }
        for entry in sorted(pack.code_lists, key=lambda entry: entry.key)
    ]
    document["forms"] = [
        {
            "code": form.code,
            "name": form.name,
            **({"description": form.description} if form.description else {}),
            "versions": [
                {
                    "number": version.number,
                    "status": version.status,
                    **({"notes": version.notes} if version.notes else {}),
                    "sections": [
                        {
                            "key": section.key,
                            "title": section.title,
                            **({"description": section.description} if section.description else {}),
                            "fields": [_question_out(question) for question in section.fields],
                        }
                        for section in version.sections
                    ],
                }
                for version in form.versions
            ],
        }
        for form in sorted(pack.forms, key=lambda form: form.code)
    ]
    document["workflows"] = [
        {
            "code": workflow.code,
            "name": workflow.name,
            "service": workflow.service,
            **({"description": workflow.description} if workflow.description else {}),
            **({} if workflow.is_active else {"is_active": False}),
            "step_types": [_step_type_out(step) for step in workflow.step_types],
        }
        for workflow in sorted(pack.workflows, key=lambda workflow: workflow.code)
    ]
    return yaml.dump(
        document,
        Dumper=_PackDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def pack_canonical(*, text: str, filename: str) -> str:
    """A pack's text in the form an export writes it (checked on its own, not against the database)."""
    return pack_render(pack_read(text=text, filename=filename))
