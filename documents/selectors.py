"""Reads: a person's documents, already narrowed to what the acting user may see."""

from __future__ import annotations

from django.db.models import Q

from casemgmt.types import AnyUser
from clients.models import Person
from documents import permissions
from documents.models import Document, DocumentQuerySet


def confidentiality_scope(user: AnyUser) -> Q:
    """Which documents of a person (they may already see) the user may see, by confidentiality."""
    scope = Q(confidentiality=Document.Confidentiality.NORMAL)
    if permissions.can_see_sensitive(user):
        scope |= Q(confidentiality=Document.Confidentiality.SENSITIVE)
    if permissions.can_manage_documents(user):
        scope |= Q(confidentiality=Document.Confidentiality.RESTRICTED)
    else:
        scope |= Q(confidentiality=Document.Confidentiality.RESTRICTED, uploaded_by_id=user.pk)
    return scope


def document_list_visible_to(*, user: AnyUser, person: Person) -> DocumentQuerySet:
    """The person's current (not deleted) documents the user may see, newest first.

    `person` must already have come through clients.permissions.access_person.
    """
    return (
        Document.objects.current()
        .filter(person=person)
        .filter(confidentiality_scope(user))
        .select_related("category", "current_version", "uploaded_by")
        .order_by("-document_date", "-id")
    )
