from clients.models.access import RecordAccessGrant
from clients.models.alerts import Alert, AlertType
from clients.models.chronology import ChronologyEntry
from clients.models.groups import Group, GroupMembership
from clients.models.involvements import Involvement, InvolvementRole
from clients.models.notes import CaseNote, NoteType
from clients.models.people import (
    Address,
    Person,
    PersonDisability,
    PersonIdentifier,
    PersonMerge,
    PersonName,
)
from clients.models.relationships import Relationship, RelationshipType

__all__ = [
    "Address",
    "Alert",
    "AlertType",
    "CaseNote",
    "ChronologyEntry",
    "Group",
    "GroupMembership",
    "Involvement",
    "InvolvementRole",
    "NoteType",
    "Person",
    "PersonDisability",
    "PersonIdentifier",
    "PersonMerge",
    "PersonName",
    "RecordAccessGrant",
    "Relationship",
    "RelationshipType",
]
