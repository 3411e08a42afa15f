"""The "Documents" section of the person page: the latest documents, and where to see all."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from casemgmt import roles
from casemgmt.types import AnyUser
from clients import permissions as client_permissions
from clients.extensions import NoteAction
from clients.models import Person
from documents import permissions
from documents.selectors import document_list_visible_to

LATEST_LIMIT = 10


def documents_section(person: Person, user: AnyUser) -> dict[str, Any] | None:
    """The person's latest documents the user may see; one query."""
    if not (user.is_authenticated and user.is_active):
        return None
    rows = list(
        document_list_visible_to(user=user, person=person)
        .select_related(None)
        .select_related("category", "current_version")
        .only(
            "id",
            "title",
            "document_date",
            "confidentiality",
            "category__label",
            "current_version__id",
            "current_version__content_type",
            "current_version__original_filename",
            "current_version__size",
        )[: LATEST_LIMIT + 1]
    )
    return {
        "person": person,
        "documents": rows[:LATEST_LIMIT],
        "more_documents": len(rows) > LATEST_LIMIT,
        "can_upload": permissions.can_upload(user),
        "can_export_case_file": client_permissions.can(user, roles.EXPORT_CASE_FILE),
    }


def attach_to_note(person: Person, note: Any, user: AnyUser) -> NoteAction | None:
    """On a case note's page: attach documents to the note, for those who may upload."""
    if not permissions.can_upload(user):
        return None
    url = reverse("documents:document-upload", kwargs={"person_id": person.pk})
    return NoteAction("Attach documents to this note", f"{url}?note={note.pk}")
