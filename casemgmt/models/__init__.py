from casemgmt.models.audit import AuditEvent, AuditSeal
from casemgmt.models.codes import Code, CodeList
from casemgmt.models.jobs import Job
from casemgmt.models.notifications import Notification
from casemgmt.models.sessions import UserSession
from casemgmt.models.staff import Team, TeamMembership, User

__all__ = [
    "AuditEvent",
    "AuditSeal",
    "Code",
    "CodeList",
    "Job",
    "Notification",
    "Team",
    "TeamMembership",
    "User",
    "UserSession",
]
