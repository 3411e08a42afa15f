from casemgmt.models.api_tokens import ApiScope, ApiToken
from casemgmt.models.audit import AuditEvent, AuditSeal
from casemgmt.models.codes import Code, CodeList
from casemgmt.models.jobs import Job
from casemgmt.models.notifications import Notification
from casemgmt.models.sessions import UserSession
from casemgmt.models.staff import Team, TeamMembership, User

__all__ = [
    "ApiScope",
    "ApiToken",
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
