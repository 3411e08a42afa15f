"""The staff roles a council starts with, and what each may do.

Roles are Django groups, so a council's administrators can change them in the admin.
On every `migrate` the defaults below are added (never removed) so a fresh database
works out of the box.
"""

from __future__ import annotations

from django.db.models import TextChoices


class Role(TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    SENIOR_MANAGER = "senior_manager", "Senior manager"
    FINANCE_OFFICER = "finance_officer", "Finance officer"
    BUSINESS_SUPPORT = "business_support", "Business support"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System administrator"
    INFORMATION_GOVERNANCE = "information_governance", "Information governance officer"


def role_label(name: str) -> str:
    """A role's name as people say it ("team manager"), also for roles a council added."""
    return Role(name).label.lower() if name in Role.values else name


# Capabilities are Django permissions "app_label.codename".
VIEW_PERSON = "clients.view_person"
ADD_PERSON = "clients.add_person"
CHANGE_PERSON = "clients.change_person"
MERGE_PERSON = "clients.merge_person"
VIEW_ACCESS_LOG = "clients.view_access_log"
VIEW_CASE_NOTES = "clients.view_casenote"
ADD_CASE_NOTE = "clients.add_casenote"
VIEW_CHRONOLOGY = "clients.view_chronologyentry"
CURATE_CHRONOLOGY = "clients.change_chronologyentry"
MANAGE_RELATIONSHIPS = "clients.change_relationship"
MANAGE_INVOLVEMENTS = "clients.change_involvement"
MANAGE_ALERTS = "clients.change_alert"
MANAGE_GROUPS = "clients.change_group"
RUN_MAINTENANCE_JOBS = "casemgmt.add_job"
VIEW_STEP = "workflows.view_step"
START_STEP = "workflows.add_step"
RECORD_STEP = "workflows.change_step"
AUTHORISE_STEP = "workflows.authorise_step"
ALLOCATE_STEP = "workflows.allocate_step"
REVIEW_ACCESS = "governance.review_access"
VIEW_ANY_USER_ACCESS = "governance.view_any_user_access"
VIEW_TEAM_USER_ACCESS = "governance.view_team_user_access"
# Delete anyone's document, and see documents restricted to their uploader and managers.
MANAGE_DOCUMENTS = "documents.delete_document"
# Restricted and sealed records (clients/record_access.py). A team manager restricts and
# grants the records their teams are allocated; senior managers and information governance
# any record. Breaking the glass is for managers, who cover for absent workers in an
# emergency; information governance audits access and has no need to read case content.
MANAGE_RECORD_ACCESS = "clients.manage_record_access"
MANAGE_ANY_RECORD_ACCESS = "clients.manage_any_record_access"
BREAK_GLASS = "clients.break_glass"
# The whole record of a person as one PDF bundle and a ZIP of attachments (documents/casefile.py):
# for managers, and for information governance answering subject access requests.
EXPORT_CASE_FILE = "documents.export_case_file"
# Capabilities no model's Meta declares: created on their app's model by sync_default_roles,
# so adding one needs no migration. Keyed by capability: (model name, description).
EXTRA_PERMISSIONS: dict[str, tuple[str, str]] = {
    EXPORT_CASE_FILE: ("document", "Can export a person's whole case file"),
}

# What system administrators configure in the Django admin: staff, teams, roles and the
# code lists of the record. Case content is not configuration, so it is not here.
_CONFIGURATION = [
    f"{app}.{action}_{model}"
    for app, models in {
        "casemgmt": ["user", "team", "teammembership", "codelist", "code", "apitoken"],
        "auth": ["group"],
        "clients": ["relationshiptype", "involvementrole", "alerttype", "notetype"],
        # Staff home postcodes, which HR keeps for the unusual access check.
        "governance": ["staffhomeaddress"],
        "workflows": [
            "workflow",
            "form",
            "formversion",
            "formsection",
            "formfield",
            "steptype",
            "transition",
        ],
    }.items()
    for model in models
    for action in ("view", "add", "change")
] + ["casemgmt.view_auditevent", "casemgmt.view_job", "auth.view_permission"]
# A draft form version is worked on freely: its sections and questions, a step type's next
# actions, or the draft itself can be removed. The admin refuses it for published versions.
_CONFIGURATION += [
    f"workflows.delete_{model}"
    for model in ("formversion", "formsection", "formfield", "transition")
]

_CASE_WORK = [
    VIEW_PERSON,
    ADD_PERSON,
    CHANGE_PERSON,
    VIEW_CASE_NOTES,
    ADD_CASE_NOTE,
    VIEW_CHRONOLOGY,
    CURATE_CHRONOLOGY,
    MANAGE_RELATIONSHIPS,
    MANAGE_ALERTS,
    MANAGE_GROUPS,
    VIEW_STEP,
    START_STEP,
    RECORD_STEP,
]

_MANAGEMENT = [MANAGE_INVOLVEMENTS, MERGE_PERSON, VIEW_ACCESS_LOG, AUTHORISE_STEP, ALLOCATE_STEP]
_MANAGEMENT += [MANAGE_DOCUMENTS]
_MANAGEMENT += [EXPORT_CASE_FILE]

DEFAULT_CAPABILITIES: dict[str, list[str]] = {
    Role.PRACTITIONER: _CASE_WORK,
    # What a user viewed: a team manager sees it for the staff of the teams they manage,
    # a senior manager for everyone. Reviewing flagged access is not a line manager's job:
    # the queue belongs to information governance, who are independent of the teams (and
    # a senior manager's own access can be flagged).
    Role.TEAM_MANAGER: [
        *_CASE_WORK,
        *_MANAGEMENT,
        VIEW_TEAM_USER_ACCESS,
        MANAGE_RECORD_ACCESS,
        BREAK_GLASS,
    ],
    Role.SENIOR_MANAGER: [
        *_CASE_WORK,
        *_MANAGEMENT,
        VIEW_ANY_USER_ACCESS,
        MANAGE_ANY_RECORD_ACCESS,
        BREAK_GLASS,
    ],
    # Finance needs to find the person it pays for or charges, not read their case notes.
    Role.FINANCE_OFFICER: [VIEW_PERSON],
    Role.BUSINESS_SUPPORT: [
        VIEW_PERSON,
        ADD_PERSON,
        CHANGE_PERSON,
        VIEW_CASE_NOTES,
        ADD_CASE_NOTE,
        VIEW_CHRONOLOGY,
        MANAGE_INVOLVEMENTS,
        MANAGE_ALERTS,
        MANAGE_GROUPS,
        # Business support records contacts and allocates from the team tray.
        VIEW_STEP,
        START_STEP,
        RECORD_STEP,
        ALLOCATE_STEP,
    ],
    Role.SYSTEM_ADMINISTRATOR: [
        VIEW_PERSON,
        MERGE_PERSON,
        VIEW_ACCESS_LOG,
        RUN_MAINTENANCE_JOBS,
        *_CONFIGURATION,
    ],
    # The data protection officer's team: audits who looked at what and reviews the flags
    # the unusual access check raises. It finds people and opens their access logs, never
    # their case notes.
    Role.INFORMATION_GOVERNANCE: [
        VIEW_PERSON,
        VIEW_ACCESS_LOG,
        VIEW_ANY_USER_ACCESS,
        REVIEW_ACCESS,
        MANAGE_ANY_RECORD_ACCESS,
        # Answering a subject access request starts from the case file export.
        EXPORT_CASE_FILE,
    ],
}


# --- records retention (retention/): capabilities and who has them ---
# Information governance works through the records whose retention period has ended and
# decides on each (a second officer confirms every destruction). Legal holds come from
# litigation and inquiries, which reach senior managers as often as the data protection
# officer, so both place and release them. The rules themselves are configuration.
REVIEW_RETENTION = "retention.review_retention"
MANAGE_LEGAL_HOLDS = "retention.manage_legal_holds"
DEFAULT_CAPABILITIES[Role.INFORMATION_GOVERNANCE] += [REVIEW_RETENTION, MANAGE_LEGAL_HOLDS]
DEFAULT_CAPABILITIES[Role.SENIOR_MANAGER] += [MANAGE_LEGAL_HOLDS]
DEFAULT_CAPABILITIES[Role.SYSTEM_ADMINISTRATOR] += [
    f"retention.{action}_retentionrule" for action in ("view", "add", "change")
] + ["retention.view_retentionreviewrun"]

# --- subject access requests (subject_access/): capabilities and who has them ---
# Information governance runs subject access requests: logs them, gathers the case file,
# reviews and redacts it. Signing a reviewed disclosure off for release is its own
# capability, so a council can give it to fewer officers; the sign-off must come from an
# officer who took no part in the review (subject_access/review.py).
VIEW_SUBJECT_ACCESS = "subject_access.view_subjectaccessrequest"
MANAGE_SUBJECT_ACCESS = "subject_access.change_subjectaccessrequest"
SIGN_OFF_SUBJECT_ACCESS = "subject_access.sign_off_subjectaccessrequest"
DEFAULT_CAPABILITIES[Role.INFORMATION_GOVERNANCE] += [
    VIEW_SUBJECT_ACCESS,
    MANAGE_SUBJECT_ACCESS,
    SIGN_OFF_SUBJECT_ACCESS,
]


def sync_default_roles() -> None:
    """Create the default groups and give them their default permissions (additive)."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    for name, (model, description) in EXTRA_PERMISSIONS.items():
        app_label, codename = name.split(".")
        content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
        if content_type is not None:
            Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": description}
            )
    wanted = {perm for perms in DEFAULT_CAPABILITIES.values() for perm in perms}
    by_name: dict[str, Permission] = {}
    for permission in Permission.objects.select_related("content_type").filter(
        content_type__app_label__in={name.split(".")[0] for name in wanted}
    ):
        by_name[f"{permission.content_type.app_label}.{permission.codename}"] = permission
    for role, perms in DEFAULT_CAPABILITIES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*(by_name[name] for name in perms if name in by_name))
