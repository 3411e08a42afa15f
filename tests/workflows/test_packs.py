"""Configuration packs: import all or nothing, export deterministically, round-trip."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from casemgmt.models import AuditEvent, Code, CodeList, Team
from workflows import facts
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
    MAX_PACK_BYTES,
    PackError,
    pack_canonical,
    pack_export,
    pack_import,
)

pytestmark = pytest.mark.django_db

FACT = "packtest.referral"

# A small pack using every part of the format. Deliberately not in canonical form (keys out
# of order, defaults spelt out, lists unsorted) so the round trip has work to do.
PACK = """\
pack: packtest
name: Pack test
workflows:
  - code: front-door
    name: Front door
    service: children
    step_types:
      - code: pt-contact
        name: Contact
        form: pt-contact
        subject: person
        entry_point: true
        start_roles: [practitioner, business_support]
        default_assignee: starter
        default_team: assessment-north
        timescale: {unit: working_days, amount: 1, from: start}
        event_date_field: contact_date
        chronology_category: Contact
        facts:
          - fact: packtest.referral
            values:
              source: {value: "8"}
              referral_date: answers.contact_date
              recorded_on: step.completed_on
        next_actions:
          - label: Assessment
            to: pt-assessment
            condition: {equals: assess, field: decision}
          - label: No further action
            closure_reason: RC8
            condition: {field: decision, in: [nfa]}
      - code: pt-assessment
        name: Child and family assessment
        description: Within 45 working days of the referral.
        form: pt-assessment
        default_assignee: team_tray
        timescale: {amount: 45, unit: working_days, from: "step:pt-contact"}
        authorisation: {role: team_manager}
        next_actions:
          - {label: Close, closure_reason: RC1}
code_lists:
  - key: pt-source
    name: Referral source
    codes:
      - [1A, "Individual: family member, relative or carer"]
      - [2B, Schools]
      - {code: "9", label: Anonymous, is_active: false}
      - [yes, "Says yes"]
forms:
  - code: pt-contact
    name: Contact
    versions:
      - number: 1
        status: published
        notes: First version
        sections:
          - key: contact
            title: About the contact
            fields:
              - {key: contact_date, label: Date of contact, kind: date, required: true}
              - key: source
                label: Source
                kind: choice
                code_list: pt-source
              - key: decision
                label: Decision
                kind: choice
                required: true
                choices: [[assess, Assess], [nfa, No further action], [no, "No"]]
              - key: nfa_reason
                label: Why no further action
                kind: long_text
                show_if: {field: decision, equals: nfa}
                max_length: 2000
      - number: 2
        status: published
        sections:
          - key: contact
            title: About the contact
            description: |-
              Who got in touch
              and why.
            fields:
              - {key: contact_date, label: Date of contact, kind: date, required: true}
              - {key: source, label: Source, kind: choice, code_list: pt-source}
              - key: decision
                label: Decision
                kind: choice
                required: true
                choices: [[assess, Assess], [nfa, No further action], [no, "No"]]
              - key: consent
                label: Consent given
                kind: yes_no
                hint: Ask the parent.
              - key: consent_notes
                label: Consent notes
                kind: text
                show_if: {all: [{field: consent, equals: false}, {field: decision, equals: assess}]}
  - code: pt-assessment
    name: Assessment
    description: Single assessment (Working Together 2023).
    versions:
      - number: 1
        status: published
        sections:
          - key: main
            title: Assessment
            fields:
              - {key: summary, label: Summary, kind: long_text, required: true}
              - {key: hours, label: Hours of support, kind: number, min: 0, max: 37.5}
              - {key: cost, label: Weekly cost, kind: money, min: "0.50"}
              - key: people_seen
                label: People seen
                kind: repeating_group
                fields:
                  - {key: name, label: Name, kind: text, required: true}
                  - {key: seen_alone, label: Seen alone, kind: yes_no}
              - {key: subject, label: Child, kind: person}
              - {key: documents, label: Documents, kind: attachment}
              - key: needs
                label: Needs
                kind: multiple_choice
                choices: [[n1, Abuse], [n2, Disability]]
              - key: needs_detail
                label: Needs detail
                kind: long_text
                show_if: {field: needs, contains: n2}
      - number: 2
        status: draft
        notes: Adds the outcome
        sections:
          - key: main
            title: Assessment
            fields:
              - {key: summary, label: Summary, kind: long_text, required: true}
              - {key: outcome, label: Outcome, kind: text}
"""


@pytest.fixture(autouse=True)
def referral_fact(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fact of the tests' own, so they do not depend on the shipped facts."""
    monkeypatch.setitem(
        facts._REGISTRY,
        FACT,
        facts.FactSpec(
            name=FACT,
            label="Referral (test)",
            fields={"referral_date": "date", "source": "code", "recorded_on": "date"},
            required=frozenset({"referral_date"}),
            write=lambda **kwargs: None,
        ),
    )


@pytest.fixture
def team(team_a: Team) -> Team:
    return team_a  # code "assessment-north", which the pack names


def _flush_configuration() -> None:
    """Empty the workflow configuration, as a fresh database has it."""
    Transition.objects.all().delete()
    StepType.objects.all().delete()
    Workflow.objects.all().delete()
    Form.objects.all().delete()
    CodeList.objects.filter(key__startswith="pt-").delete()


def _state() -> dict[str, Any]:
    """Everything an import could change, to show that a refused one changed nothing."""
    return {
        "export": pack_export(pack_code="state", name="State"),
        "rows": [
            model.objects.count()
            for model in (
                Workflow,
                StepType,
                Transition,
                Form,
                FormVersion,
                FormSection,
                FormField,
                CodeList,
                Code,
            )
        ],
        "events": AuditEvent.objects.count(),
    }


# -- importing ---------------------------------------------------------------------------------


def test_import_creates_the_configuration(team: Team) -> None:
    # When the pack is imported into an empty database
    result = pack_import(actor=None, text=PACK, filename="packtest.yaml")

    # Then every part of it is there
    assert (result.pack, result.name) == ("packtest", "Pack test")
    assert dict(result.created) == {
        "code list": 1,
        "code": 4,
        "form": 2,
        "form version": 4,
        "workflow": 1,
        "step type": 2,
        "next action": 3,
    }
    assert result.summary().startswith(
        "packtest.yaml: pack 'packtest' (Pack test): created 1 code list"
    )
    source = CodeList.objects.get(key="pt-source")
    assert list(source.codes.order_by("sort_order").values_list("code", "is_active")) == [
        ("1A", True),
        ("2B", True),
        ("9", False),
        ("yes", True),  # plain yes is text in a pack, not a boolean
    ]
    contact = Form.objects.get(code="pt-contact")
    v1, v2 = contact.versions.order_by("number")
    assert (v1.status, v2.status) == ("published", "published")
    assert [f["key"] for f in v1.schema["sections"][0]["fields"]] == [
        "contact_date",
        "source",
        "decision",
        "nfa_reason",
    ]
    source_field = v1.schema["sections"][0]["fields"][1]
    assert source_field["choices"] == [
        ["1A", "Individual: family member, relative or carer"],
        ["2B", "Schools"],
        ["yes", "Says yes"],
    ]
    assert v1.schema["sections"][0]["fields"][2]["choices"][2] == ["no", "No"]
    assert v2.schema["sections"][0]["description"] == "Who got in touch\nand why."
    assessment = Form.objects.get(code="pt-assessment")
    draft = assessment.versions.get(number=2)
    assert draft.status == "draft"
    assert draft.schema == {}
    assert list(FormField.objects.filter(section__version=draft).values_list("key", flat=True)) == [
        "summary",
        "outcome",
    ]
    hours = FormField.objects.get(
        section__version__number=1, key="hours", section__version__form=assessment
    )
    assert (str(hours.min_value), str(hours.max_value)) == ("0.00", "37.50")
    group = FormField.objects.get(key="people_seen")
    assert list(group.children.values_list("key", flat=True)) == ["name", "seen_alone"]

    step = StepType.objects.get(code="pt-contact")
    assert step.workflow.code == "front-door"
    assert step.form == contact
    assert step.is_entry_point
    assert sorted(step.start_roles.values_list("name", flat=True)) == [
        "business_support",
        "practitioner",
    ]
    assert step.default_team == team
    assert (step.timescale_amount, step.timescale_unit, step.timescale_from) == (
        1,
        "working_days",
        "start",
    )
    assert step.fact_mappings == [
        {
            "fact": FACT,
            "values": {
                "source": {"value": "8"},
                "referral_date": "answers.contact_date",
                "recorded_on": "step.completed_on",
            },
        }
    ]
    assessment_step = StepType.objects.get(code="pt-assessment")
    assert assessment_step.requires_authorisation
    assert assessment_step.authoriser_role is not None
    assert assessment_step.authoriser_role.name == "team_manager"
    assert assessment_step.timescale_from == "step:pt-contact"
    transitions = list(step.transitions.order_by("order"))
    assert [(t.label, t.to_step_type_id, t.closure_reason, t.condition) for t in transitions] == [
        ("Assessment", assessment_step.pk, "", {"field": "decision", "equals": "assess"}),
        ("No further action", None, "RC8", {"field": "decision", "in": ["nfa"]}),
    ]
    # and each change is audited as configuration, naming the pack.
    events = AuditEvent.objects.filter(action="step_type_created")
    assert events.count() == 2
    assert {event.reason for event in events} == {"configuration pack 'packtest' (packtest.yaml)"}


def test_importing_the_same_pack_twice_changes_nothing(
    team: Team, django_assert_max_num_queries: Any
) -> None:
    pack_import(actor=None, text=PACK, filename="packtest.yaml")
    before = _state()
    ids = sorted(FormField.objects.values_list("pk", flat=True))

    # (load_packs imports the shipped packs on every start: an unchanged pack costs little)
    with django_assert_max_num_queries(30):
        result = pack_import(actor=None, text=PACK, filename="packtest.yaml")

    assert not result.changed
    assert result.summary().endswith("nothing to change, already up to date")
    assert _state() == before
    assert sorted(FormField.objects.values_list("pk", flat=True)) == ids


def test_reimport_updates_configuration_in_place(team: Team) -> None:
    pack_import(actor=None, text=PACK, filename="packtest.yaml")
    step_id = StepType.objects.get(code="pt-contact").pk
    changed = (
        PACK.replace("name: Contact\n        form", "name: Initial contact\n        form")
        .replace(
            "      - [2B, Schools]\n", "      - [2B, Schools and colleges]\n      - [3C, Police]\n"
        )
        .replace(
            "          - label: No further action\n            closure_reason: RC8\n"
            "            condition: {field: decision, in: [nfa]}\n",
            "",
        )
        .replace(
            "status: draft\n        notes: Adds the outcome",
            "status: published\n        notes: Adds the outcome",
        )
    )

    result = pack_import(actor=None, text=changed, filename="packtest.yaml")

    assert dict(result.updated) == {"code": 3, "step type": 1, "form version": 1}
    assert dict(result.created) == {"code": 1}
    assert dict(result.removed) == {"next action": 1}
    step = StepType.objects.get(code="pt-contact")
    assert (step.pk, step.name) == (step_id, "Initial contact")
    assert list(step.transitions.values_list("label", flat=True)) == ["Assessment"]
    assert Code.objects.get(code_list__key="pt-source", code="2B").label == "Schools and colleges"
    published = Form.objects.get(code="pt-assessment").latest_published()
    assert published is not None
    assert published.number == 2
    assert [f["key"] for f in published.schema["sections"][0]["fields"]] == ["summary", "outcome"]
    # A published version that existed already keeps the codes it was published with.
    v1 = FormVersion.objects.get(form__code="pt-contact", number=1)
    assert ["3C", "Police"] not in v1.schema["sections"][0]["fields"][1]["choices"]


def test_a_pack_may_use_configuration_already_in_the_database(team: Team) -> None:
    pack_import(actor=None, text=PACK, filename="packtest.yaml")
    extra = """\
pack: extra
name: Extra
workflows:
  - code: extra
    name: Extra
    service: adults
    step_types:
      - code: pt-review
        name: Review
        form: pt-contact
        facts:
          - fact: packtest.referral
            values: {referral_date: answers.contact_date}
        next_actions:
          - {label: Back to assessment, to: pt-assessment, condition: {field: consent, equals: true}}
"""
    result = pack_import(actor=None, text=extra, filename="extra.yaml")

    assert result.created["step type"] == 1
    review = StepType.objects.get(code="pt-review")
    assert review.transitions.get().to_step_type == StepType.objects.get(code="pt-assessment")


# -- exporting and the round trip ----------------------------------------------------------------


def test_export_after_import_is_the_canonical_pack(team: Team) -> None:
    canonical = pack_canonical(text=PACK, filename="packtest.yaml")
    pack_import(actor=None, text=PACK, filename="packtest.yaml")

    exported = pack_export(pack_code="packtest", name="Pack test")

    assert exported == canonical
    # The canonical text is itself a fixed point, and reads as it should.
    assert pack_canonical(text=canonical, filename="canonical.yaml") == canonical
    assert exported.startswith("pack: packtest\nname: Pack test\ncode_lists:\n  - key: pt-source\n")
    assert "      - [1A, 'Individual: family member, relative or carer']\n" in exported
    assert "      - {code: '9', label: Anonymous, is_active: false}\n" in exported
    assert "      - ['yes', Says yes]\n" in exported
    assert "show_if: {field: decision, equals: nfa}" in exported
    assert "timescale: {amount: 45, unit: working_days, from: 'step:pt-contact'}" in exported
    assert (
        "            description: |-\n              Who got in touch\n              and why.\n"
        in exported
    )


def test_export_import_into_an_empty_database_export_gives_the_same_text(team: Team) -> None:
    pack_import(actor=None, text=PACK, filename="packtest.yaml")
    first = pack_export(pack_code="packtest", name="Pack test")

    _flush_configuration()
    assert Form.objects.count() == 0
    pack_import(actor=None, text=first, filename="export.yaml")
    second = pack_export(pack_code="packtest", name="Pack test")

    assert second == first


def test_export_of_chosen_workflows_holds_only_what_they_use(team: Team) -> None:
    pack_import(actor=None, text=PACK, filename="packtest.yaml")
    pack_import(
        actor=None,
        text="""\
pack: other
name: Other
forms:
  - code: pt-other
    name: Other form
    versions:
      - number: 1
        status: published
        sections:
          - key: main
            title: Main
            fields: [{key: note, label: Note, kind: text}]
workflows:
  - code: other
    name: Other
    service: adults
    step_types:
      - {code: pt-other, name: Other, form: pt-other, entry_point: true}
""",
        filename="other.yaml",
    )

    text = pack_export(workflows=["other"], pack_code="other", name="Other")

    assert "code: pt-other" in text
    assert "pt-contact" not in text
    assert "code_lists: []" in text
    with pytest.raises(PackError, match="there is no workflow 'missing'"):
        pack_export(workflows=["missing"], pack_code="x", name="X")


def test_export_leaves_out_drafts_older_than_the_newest_published(team: Team) -> None:
    pack_import(actor=None, text=PACK, filename="packtest.yaml")
    contact = Form.objects.get(code="pt-contact")
    FormVersion.objects.create(form=contact, number=3)
    FormVersion.objects.create(form=contact, number=4)

    text = pack_export(pack_code="packtest", name="Pack test")

    versions = text.split("- code: pt-contact")[1].split("- code: ")[0]
    assert "number: 3" not in versions
    assert versions.endswith(
        "      - number: 4\n        status: draft\n        sections: []\nworkflows:\n  "
    )
    # and an empty draft, as the admin makes one, imports again.
    _flush_configuration()
    pack_import(actor=None, text=text, filename="export.yaml")
    assert pack_export(pack_code="packtest", name="Pack test") == text


# -- refusing bad packs ----------------------------------------------------------------------------


def _replace(old: str, new: str) -> Callable[[], str]:
    def make() -> str:
        assert old in PACK, old
        return PACK.replace(old, new, 1)

    return make


BAD_PACKS: dict[str, tuple[Callable[[], str], list[str]]] = {
    "malformed YAML": (
        _replace("name: Pack test\n", "name: Pack test\n  oops: [\n"),
        [
            "bad.yaml: line 3, column 7: not valid YAML: mapping values are not allowed in this context"
        ],
    ),
    "a wrong type": (
        _replace("kind: date, required: true}", "kind: date, required: yes}"),
        [
            "bad.yaml: forms[0].versions[0].sections[0].fields[0].required: "
            "expected true or false, found the text 'yes'"
        ],
    ),
    "an unknown key": (
        _replace("                label: Source\n", "                labl: Source\n"),
        [
            "bad.yaml: forms[0].versions[0].sections[0].fields[1].labl: unknown key "
            "(expected one of: choices, code_list, fields, hint, key, kind, label, max, "
            "max_length, min, required, show_if)",
            "bad.yaml: forms[0].versions[0].sections[0].fields[1]: missing 'label'",
        ],
    ),
    "an unknown fact": (
        _replace("- fact: packtest.referral", "- fact: packtest.referal"),
        ["bad.yaml: workflows[0].step_types[0].facts[0].fact: there is no fact 'packtest.referal'"],
    ),
    "a mapping to a missing question": (
        _replace("referral_date: answers.contact_date", "referral_date: answers.referal_date"),
        [
            "bad.yaml: workflows[0].step_types[0].facts[0].values.referral_date: "
            "the form has no question 'referal_date'"
        ],
    ),
    "a field the fact does not have": (
        _replace("recorded_on: step.completed_on", "recorded: step.finished_on"),
        [
            "bad.yaml: workflows[0].step_types[0].facts[0].values.recorded: "
            f"'recorded' is not a field of the fact '{FACT}'"
        ],
    ),
    "duplicated codes": (
        _replace("      - [2B, Schools]\n", "      - [2B, Schools]\n      - [1A, Again]\n"),
        ["bad.yaml: code_lists[0].codes[2]: the code '1A' is also at codes[0]"],
    ),
    "a duplicated step type": (
        _replace(
            "code: pt-assessment\n        name: Child", "code: pt-contact\n        name: Child"
        ),
        [
            "bad.yaml: workflows[0].step_types[1].code: the step type code 'pt-contact' is also "
            "used at workflows[0].step_types[0]",
            # and what pointed at the step type it replaced points nowhere now
            "bad.yaml: workflows[0].step_types[0].next_actions[0].to: "
            "there is no step type 'pt-assessment'",
        ],
    ),
    "a key written twice": (
        _replace("name: Front door\n", "name: Front door\n    name: Again\n"),
        ["bad.yaml: line 6, column 5: not valid YAML: in this mapping 'name' is written twice"],
    ),
    "references that do not exist": (
        _replace(
            "start_roles: [practitioner, business_support]\n"
            "        default_assignee: starter\n"
            "        default_team: assessment-north\n",
            "start_roles: [practitioner, social_worker]\n"
            "        default_assignee: starter\n"
            "        default_team: nowhere\n",
        ),
        [
            "bad.yaml: workflows[0].step_types[0].start_roles[1]: there is no role 'social_worker'",
            "bad.yaml: workflows[0].step_types[0].default_team: there is no team 'nowhere'",
        ],
    ),
    "a missing form and step type": (
        _replace("form: pt-assessment\n        default", "form: pt-asessment\n        default"),
        ["bad.yaml: workflows[0].step_types[1].form: there is no form 'pt-asessment'"],
    ),
    "a condition that cannot hold": (
        _replace("{field: consent, equals: false}", "{field: consent, equals: no}"),
        [
            "bad.yaml: forms[0].versions[1].sections[0].fields[4].show_if.all[0].equals: "
            "'consent' is a yes/no question: compare with true or false, not the text 'no'"
        ],
    ),
    "a next action to nowhere": (
        _replace("to: pt-assessment", "to: pt-asessment"),
        [
            "bad.yaml: workflows[0].step_types[0].next_actions[0].to: there is no step type 'pt-asessment'"
        ],
    ),
    "a missing code list": (
        _replace("code_list: pt-source\n", "code_list: pt-sauce\n"),
        [
            "bad.yaml: forms[0].versions[0].sections[0].fields[1].code_list: there is no code list 'pt-sauce'"
        ],
    ),
    "a choice without choices": (
        _replace("                code_list: pt-source\n", ""),
        [
            "bad.yaml: forms[0].versions[0].sections[0].fields[1]: a choice question needs a code_list or choices"
        ],
    ),
    "an alias bomb": (
        lambda: (
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
                for i in range(8)
            )
        ),
        ["bad.yaml: line 1, column 4: anchors (&a) are not allowed in a pack: write the value out"],
    ),
    "an oversized file": (
        lambda: PACK + "#" * MAX_PACK_BYTES,
        ["bad.yaml: the file is larger than 5 MB"],
    ),
    "not a mapping": (lambda: "- just\n- a list\n", ["bad.yaml: expected a mapping, found a list"]),
    "an empty file": (lambda: "# nothing\n", ["bad.yaml: the file is empty"]),
    "a Python tag": (
        lambda: "pack: !!python/object/apply:os.system [echo]\nname: x\n",
        [
            "bad.yaml: line 1, column 7: not valid YAML: could not determine a constructor "
            "for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"
        ],
    ),
}


@pytest.mark.parametrize("case", list(BAD_PACKS), ids=list(BAD_PACKS))
def test_a_bad_pack_is_refused_whole_naming_file_path_and_reason(case: str, team: Team) -> None:
    make, expected = BAD_PACKS[case]
    before = _state()

    with pytest.raises(PackError) as raised:
        pack_import(actor=None, text=make(), filename="bad.yaml")

    assert raised.value.problems == expected
    assert _state() == before


def test_every_problem_is_listed_at_once(team: Team) -> None:
    text = (
        PACK.replace("service: children", "service: childrens")
        .replace("referral_date: answers.contact_date", "referral_date: answers.referal_date")
        .replace("kind: long_text, required: true}", "kind: essay, required: true}")
    )

    with pytest.raises(PackError) as raised:
        pack_import(actor=None, text=text, filename="many.yaml")

    assert raised.value.problems == [
        "many.yaml: forms[1].versions[0].sections[0].fields[0].kind: the text 'essay' is not "
        "one of: text, long_text, date, number, money, yes_no, choice, multiple_choice, "
        "person, repeating_group, attachment",
        "many.yaml: forms[1].versions[1].sections[0].fields[0].kind: the text 'essay' is not "
        "one of: text, long_text, date, number, money, yes_no, choice, multiple_choice, "
        "person, repeating_group, attachment",
        "many.yaml: workflows[0].service: the text 'childrens' is not one of: children, adults",
        "many.yaml: workflows[0].step_types[0].facts[0].values.referral_date: "
        "the form has no question 'referal_date'",
    ]
    assert str(raised.value) == "\n".join(raised.value.problems)


def test_a_changed_published_version_is_refused(team: Team) -> None:
    pack_import(actor=None, text=PACK, filename="packtest.yaml")
    before = _state()
    changed = PACK.replace(
        "                max_length: 2000\n",
        "                max_length: 3000\n"
        "              - {key: extra, label: Extra, kind: text}\n",
    )

    with pytest.raises(PackError) as raised:
        pack_import(actor=None, text=changed, filename="childrens.yaml")

    assert raised.value.problems == [
        "childrens.yaml: forms[0].versions[0]: version 1 of 'pt-contact' is published in the "
        "database and the pack's differs from it (questions added: extra; questions changed: "
        "nfa_reason): published versions never change, so give the new content a new version "
        "number"
    ]
    assert _state() == before


def test_a_published_version_cannot_become_a_draft_again(team: Team) -> None:
    pack_import(actor=None, text=PACK, filename="packtest.yaml")
    text = PACK.replace(
        "      - number: 2\n        status: published\n",
        "      - number: 2\n        status: draft\n",
    )

    with pytest.raises(PackError) as raised:
        pack_import(actor=None, text=text, filename="packtest.yaml")

    assert raised.value.problems == [
        "packtest.yaml: forms[0].versions[1].status: version 2 of 'pt-contact' is published in "
        "the database; a published version cannot become a draft again"
    ]


def test_versions_are_listed_oldest_first_with_one_draft_at_most(team: Team) -> None:
    text = PACK.replace(
        "      - number: 2\n        status: published\n",
        "      - number: 1\n        status: draft\n",
    )

    with pytest.raises(PackError) as raised:
        pack_import(actor=None, text=text, filename="v.yaml")

    assert raised.value.problems == [
        "v.yaml: forms[0].versions[1].number: versions are listed oldest first, each with a "
        "higher number than the one before (version 1 follows version 1)",
    ]


# -- management commands ---------------------------------------------------------------------------


def test_import_pack_command_prints_a_summary(team: Team, tmp_path: Path) -> None:
    path = tmp_path / "packtest.yaml"
    path.write_text(PACK, encoding="utf-8")
    out = io.StringIO()

    call_command("import_pack", str(path), stdout=out)
    call_command("import_pack", str(path), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{path}: pack 'packtest' (Pack test): created 1 code list, 4 codes")
    assert lines[1] == f"{path}: pack 'packtest' (Pack test): nothing to change, already up to date"


def test_import_pack_command_fails_with_every_error_and_imports_nothing(
    team: Team, tmp_path: Path
) -> None:
    good = tmp_path / "a.yaml"
    good.write_text(PACK, encoding="utf-8")
    bad = tmp_path / "b.yaml"
    bad.write_text("pack: b\nname: B\nforms: {}\n", encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        call_command("import_pack", str(good), str(bad))

    assert (
        str(raised.value)
        == f"{bad}: forms: expected a list, found a mapping\nNothing was imported."
    )
    assert raised.value.returncode == 1
    assert not Form.objects.exists()


def test_import_pack_command_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("pack: x\nname: Caf\xe9\n".encode("latin-1"))

    with pytest.raises(
        CommandError, match=r"latin.yaml: not UTF-8 text \(byte 18 cannot be read\)"
    ):
        call_command("import_pack", str(path))


def test_export_pack_command_writes_the_export(team: Team, tmp_path: Path) -> None:
    pack_import(actor=None, text=PACK, filename="packtest.yaml")
    output = tmp_path / "out.yaml"

    call_command(
        "export_pack",
        "--workflow",
        "front-door",
        "--output",
        str(output),
        "--pack",
        "packtest",
        "--name",
        "Pack test",
        stderr=io.StringIO(),
    )
    printed = io.StringIO()
    call_command("export_pack", "--pack", "packtest", "--name", "Pack test", stdout=printed)

    assert output.read_text(encoding="utf-8") == pack_canonical(text=PACK, filename="p.yaml")
    assert printed.getvalue() == output.read_text(encoding="utf-8")


def test_load_packs_imports_every_yaml_file_in_name_order(team: Team, tmp_path: Path) -> None:
    (tmp_path / "a-base.yaml").write_text(PACK, encoding="utf-8")
    # The second pack uses what the first one created.
    (tmp_path / "b-more.yaml").write_text(
        "pack: more\nname: More\nworkflows:\n  - code: more\n    name: More\n    service: adults\n"
        "    step_types:\n      - {code: pt-more, name: More, form: pt-contact, entry_point: true}\n",
        encoding="utf-8",
    )
    (tmp_path / "c.yml").write_text("pack: skipped\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()

    call_command("load_packs", "--directory", str(tmp_path), stdout=out, stderr=err)

    assert [line.split(":")[0] for line in out.getvalue().splitlines()] == [
        "a-base.yaml",
        "b-more.yaml",
    ]
    assert "Not loaded: c.yml (packs are *.yaml files)." in err.getvalue()
    assert StepType.objects.filter(code="pt-more").exists()


def test_load_packs_refuses_an_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="There are no"):
        call_command("load_packs", "--directory", str(tmp_path))
