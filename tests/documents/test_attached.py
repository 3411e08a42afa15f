"""Documents attached to a step or a case note of the person (and the step page's link)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from casemgmt.models import Team, User
from clients.models import Person
from documents.models import Document
from tests.documents import samples
from tests.factories import CaseNoteFactory, GroupFactory, GroupMembershipFactory, PersonFactory
from tests.workflows.step_page_builders import make_step, visit_flow

pytestmark = pytest.mark.django_db


def _step(person: Person, worker: User) -> Any:
    team = Team.objects.get(code="assessment-north")
    return make_step(visit_flow(default_team=team).visit, person=person, team=team, assignee=worker)


def test_the_step_page_links_to_attaching_documents_and_they_attach_to_the_step(
    upload: Callable[..., Any], worker_client: Client, person: Person, worker: User
) -> None:
    step = _step(person, worker)
    upload_url = reverse("documents:document-upload", kwargs={"person_id": person.pk})

    page = worker_client.get(reverse("step-detail", kwargs={"step_id": step.pk})).content.decode()
    assert f'href="{upload_url}?step={step.pk}"' in page
    form = worker_client.get(upload_url, {"step": step.pk}).content.decode()
    assert f'name="step" value="{step.pk}"' in form

    response = upload(("plan.pdf", samples.pdf()), step=str(step.pk))

    assert response.status_code == 302
    assert response["Location"] == reverse("step-detail", kwargs={"step_id": step.pk})
    assert Document.objects.get().step == step


def test_a_step_of_someone_else_is_not_found(
    upload: Callable[..., Any], worker_client: Client, person: Person, worker: User
) -> None:
    other = PersonFactory()
    step = _step(other, worker)

    response = upload(("plan.pdf", samples.pdf()), step=str(step.pk))

    assert response.status_code == 404
    assert Document.objects.count() == 0


def test_a_note_and_a_group_of_the_person(
    upload: Callable[..., Any], person: Person, worker: User
) -> None:
    note = CaseNoteFactory(person=person, author=worker)
    group = GroupFactory()
    GroupMembershipFactory(group=group, person=person)
    other_note = CaseNoteFactory(person=PersonFactory(), author=worker)

    assert upload(("a.pdf", samples.pdf()), note=str(note.pk)).status_code == 302
    assert upload(("b.pdf", samples.pdf()), group=str(group.pk)).status_code == 302
    assert upload(("c.pdf", samples.pdf()), note=str(other_note.pk)).status_code == 404
    assert upload(("d.pdf", samples.pdf()), group=str(GroupFactory().pk)).status_code == 404

    assert sorted(
        (doc.case_note_id or 0, doc.group_id or 0) for doc in Document.objects.all()
    ) == sorted([(note.pk, 0), (0, group.pk)])


def test_the_upload_form_offers_the_persons_current_groups(
    upload: Callable[..., Any], worker_client: Client, person: Person
) -> None:
    # Given the person is in a household now, and was in another before
    household = GroupFactory(name="Whitmore household")
    GroupMembershipFactory(group=household, person=person)
    former = GroupFactory(name="Former foster household")
    GroupMembershipFactory(group=former, person=person, end_date="2020-01-01")
    upload_url = reverse("documents:document-upload", kwargs={"person_id": person.pk})

    # When the worker opens the upload form
    form = worker_client.get(upload_url).content.decode()

    # Then the current household is offered, not the former one
    assert f'<option value="{household.pk}">Whitmore household</option>' in form
    assert "Former foster household" not in form

    # And choosing it attaches the document to the household
    assert upload(("minutes.pdf", samples.pdf()), group=str(household.pk)).status_code == 302
    assert Document.objects.get().group == household


def test_a_case_notes_page_offers_to_attach_documents_to_it(
    client_for: Callable[[str], Client], person: Person, worker: User
) -> None:
    # Given a final case note on the person
    note = CaseNoteFactory(person=person, author=worker)
    page_url = reverse("clients:note-detail", kwargs={"person_id": person.pk, "note_id": note.pk})
    upload_url = reverse("documents:document-upload", kwargs={"person_id": person.pk})

    # Then the worker is offered to attach documents to it, and the upload form knows the note
    page = client_for("allocated_worker").get(page_url).content.decode()
    assert f'href="{upload_url}?note={note.pk}"' in page
    form = client_for("allocated_worker").get(upload_url, {"note": note.pk}).content.decode()
    assert f'name="note" value="{note.pk}"' in form
