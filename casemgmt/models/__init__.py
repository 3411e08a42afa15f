from casemgmt.models.audit import AuditEvent
from casemgmt.models.codes import Code, CodeList
from casemgmt.models.jobs import Job
from casemgmt.models.staff import Team, TeamMembership, User

__all__ = ["AuditEvent", "Code", "CodeList", "Job", "Team", "TeamMembership", "User"]
