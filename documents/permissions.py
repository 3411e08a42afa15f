"""Who may see, upload and delete a person's documents.

Seeing the person (clients.permissions.access_person, which goes through
person_list_visible_to) is always needed first. Then by the document's confidentiality:
normal documents are seen by anyone who may see the person; sensitive ones by staff who
may read case notes; restricted ones by their uploader and managers. Uploading needs the
right to record on the person (to write case notes); deleting is for the uploader (while
they may still record) or a manager.
"""

from __future__ import annotations

from django.http import Http404

from casemgmt import roles
from casemgmt.types import AnyUser
from clients import permissions as client_permissions
from clients.models import Person
from documents.models import Document


def can_see_sensitive(user: AnyUser) -> bool:
    return client_permissions.can(user, roles.VIEW_CASE_NOTES)


def can_upload(user: AnyUser) -> bool:
    return client_permissions.can(user, roles.ADD_CASE_NOTE)


def can_manage_documents(user: AnyUser) -> bool:
    return client_permissions.can(user, roles.MANAGE_DOCUMENTS)


def can_delete(user: AnyUser, document: Document) -> bool:
    if can_manage_documents(user):
        return True
    return document.uploaded_by_id == user.pk and can_upload(user)


def access_person_for_upload(user: AnyUser, person_id: int) -> Person:
    """The person, if the user may see them and record on them; otherwise Http404."""
    person = client_permissions.access_person(user, person_id)
    if not can_upload(user):
        raise Http404("No such person.")
    return person


def access_document(user: AnyUser, person: Person, document_id: int) -> Document:
    """A current document of the person that the user may see; otherwise Http404."""
    from documents.selectors import document_list_visible_to

    document = document_list_visible_to(user=user, person=person).filter(pk=document_id).first()
    if document is None:
        raise Http404("No such document.")
    return document
