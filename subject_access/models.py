"""Subject access requests: the request as a tracked case, its pauses, the people it is
about, and the reviewed case file (items, decisions and redactions)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from clients.models import Person
from documents.models import Document, DocumentVersion


class Exemption(models.TextChoices):
    """The Data Protection Act 2018 exemptions a council's social care disclosures rely on."""

    THIRD_PARTY = (
        "third_party",
        "Third-party information: about someone else, who has not agreed (DPA 2018, Schedule 2, Part 3)",
    )
    CRIME = (
        "crime",
        "Would prejudice the prevention or detection of crime (Schedule 2, Part 1)",
    )
    LEGAL_PRIVILEGE = "legal_privilege", "Legal professional privilege (Schedule 2, Part 4)"
    SERIOUS_HARM_SOCIAL_WORK = (
        "serious_harm_social_work",
        "Serious harm test: social work data likely to cause serious harm (Schedule 3, Part 3)",
    )
    SERIOUS_HARM_HEALTH = (
        "serious_harm_health",
        "Serious harm test: health data, with the health professional's opinion (Schedule 3, Part 2)",
    )
    COURT_REPORT = (
        "court_report",
        "Social work data in a report or evidence to a court (Schedule 3, Part 3)",
    )
    CHILD_ABUSE = (
        "child_abuse",
        "Child abuse data asked for by someone with parental responsibility (Schedule 3, Part 5)",
    )
    PROHIBITED_BY_LAW = (
        "prohibited_by_law",
        "Disclosure prohibited by law, such as adoption records (Schedule 4)",
    )


# What the released bundle prints: "[Redacted: third-party information]".
EXEMPTION_REASONS: dict[str, str] = {
    Exemption.THIRD_PARTY: "third-party information",
    Exemption.CRIME: "prevention or detection of crime",
    Exemption.LEGAL_PRIVILEGE: "legal professional privilege",
    Exemption.SERIOUS_HARM_SOCIAL_WORK: "serious harm",
    Exemption.SERIOUS_HARM_HEALTH: "serious harm",
    Exemption.COURT_REPORT: "report to a court",
    Exemption.CHILD_ABUSE: "child abuse data",
    Exemption.PROHIBITED_BY_LAW: "disclosure prohibited by law",
}


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    PORTAL = "portal", "Online portal"
    VERBAL = "verbal", "Verbally (in person or by phone)"


class ReleaseMethod(models.TextChoices):
    SECURE_EMAIL = "secure_email", "Secure email"
    POST = "post", "Recorded delivery post"
    COLLECTED = "collected", "Collected in person"
    PORTAL = "portal", "Online portal"


class SubjectAccessRequestQuerySet(models.QuerySet["SubjectAccessRequest"]):
    def open(self) -> SubjectAccessRequestQuerySet:
        return self.exclude(status__in=SubjectAccessRequest.CLOSED_STATUSES)

    def overdue(self, today: datetime.date) -> SubjectAccessRequestQuerySet:
        return self.open().filter(due_on__lt=today)


class SubjectAccessRequest(models.Model):
    """Someone asked for the personal data the council holds about them (or someone they act for)."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        AWAITING = "awaiting", "Awaiting identity or clarification"
        IN_PROGRESS = "in_progress", "In progress"
        IN_REVIEW = "in_review", "In review"
        RELEASED = "released", "Released"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    CLOSED_STATUSES = (Status.RELEASED, Status.REFUSED, Status.WITHDRAWN)

    class RequesterRole(models.TextChoices):
        SELF = "self", "The data subject, asking for their own information"
        PARENT = "parent", "A parent or carer with parental responsibility"
        SOLICITOR = "solicitor", "A solicitor or other legal representative"
        ATTORNEY = (
            "attorney",
            "An attorney or deputy (Lasting Power of Attorney, Court of Protection)",
        )
        REPRESENTATIVE = "representative", "An advocate or other person with written consent"

    class IdentityMethod(models.TextChoices):
        DOCUMENTS = "documents", "Identity documents seen (photo ID and proof of address)"
        KNOWN = "known", "Known to the service: identity confirmed by their worker"
        IN_PERSON = "in_person", "Confirmed in person at a council office"
        SOLICITOR = "solicitor", "Confirmed by a solicitor acting for them"
        PORTAL = "portal", "Signed in to the council's verified portal"

    class ClosureGround(models.TextChoices):
        UNFOUNDED = "unfounded", "Manifestly unfounded (UK GDPR Article 12(5))"
        EXCESSIVE = "excessive", "Manifestly excessive (UK GDPR Article 12(5))"
        IDENTITY = "identity", "Identity or authority to act not confirmed (UK GDPR Article 12(6))"
        EXEMPTION = "exemption", "An exemption applies to all of the information"
        NO_DATA = "no_data", "We hold no personal data about the data subject"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    received_on = models.DateField(help_text="The day the request reached the council.")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    requester_name = models.CharField(max_length=200)
    requester_role = models.CharField(max_length=20, choices=RequesterRole.choices)
    authority = models.TextField(
        blank=True, help_text="For someone acting for the data subject: the authority they gave."
    )
    requester_address = models.TextField(blank=True)
    requester_email = models.EmailField(max_length=254, blank=True)
    requester_phone = models.CharField(max_length=40, blank=True)
    # Who the request is about, as the requester describes them (before a record is matched).
    subject_name = models.CharField(max_length=200)
    subject_date_of_birth = models.DateField(null=True, blank=True)
    subject_details = models.TextField(blank=True)
    scope = models.TextField(help_text="What was asked for, in the requester's words.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    identity_verified_on = models.DateField(null=True, blank=True)
    identity_method = models.CharField(max_length=12, choices=IdentityMethod.choices, blank=True)
    identity_notes = models.TextField(blank=True)

    # The deadline: one calendar month from `clock_started_on` (the day the request was
    # received, or the day the identity or clarification asked for arrived), to the next
    # working day; plus the extension's months. Empty while the clock is paused.
    clock_started_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extension_told_on = models.DateField(null=True, blank=True)
    extension_told_how = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    extension_letter = models.TextField(blank=True)

    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    sign_off_notes = models.TextField(blank=True)

    released_on = models.DateField(null=True, blank=True)
    release_method = models.CharField(max_length=20, choices=ReleaseMethod.choices, blank=True)
    release_description = models.TextField(blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    closed_on = models.DateField(null=True, blank=True)
    closure_ground = models.CharField(max_length=12, choices=ClosureGround.choices, blank=True)
    closure_exemption = models.CharField(max_length=30, choices=Exemption.choices, blank=True)
    closure_reason = models.TextField(blank=True)
    closure_told_on = models.DateField(null=True, blank=True)
    closure_told_how = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    closure_letter = models.TextField(blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = SubjectAccessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "received_on", "id"]
        verbose_name = "subject access request"
        permissions = [
            ("sign_off_subjectaccessrequest", "Can sign off a reviewed disclosure for release"),
        ]
        indexes = [
            models.Index(
                fields=["due_on", "id"],
                condition=Q(status__in=["received", "awaiting", "in_progress", "in_review"]),
                name="sar_open_by_deadline",
            ),
            models.Index(fields=["owner", "status"], name="sar_owner_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(extension_months__lte=2), name="sar_extension_at_most_two_months"
            ),
            models.CheckConstraint(
                condition=Q(clock_started_on__gte=F("received_on")),
                name="sar_clock_starts_on_or_after_receipt",
            ),
            models.CheckConstraint(
                condition=Q(
                    status="released", released_on__isnull=False, signed_off_at__isnull=False
                )
                | ~Q(status="released"),
                name="sar_released_was_signed_off",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.status == self.Status.AWAITING

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    def days_left(self, today: datetime.date) -> int | None:
        return (self.due_on - today).days if self.due_on else None


class Pause(models.Model):
    """The clock stopped: proof of identity, authority or clarification was asked for."""

    class Kind(models.TextChoices):
        IDENTITY = "identity", "Proof of identity"
        AUTHORITY = "authority", "Proof of authority to act for the data subject"
        CLARIFICATION = "clarification", "Clarification of what is asked for"

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="pauses"
    )
    kind = models.CharField(max_length=15, choices=Kind.choices)
    asked_on = models.DateField()
    asked_how = models.CharField(max_length=10, choices=Channel.choices)
    details = models.TextField(help_text="What was asked for.")
    # The status the request goes back to when the answer arrives.
    resumes_status = models.CharField(max_length=12, choices=SubjectAccessRequest.Status.choices)
    received_on = models.DateField(null=True, blank=True)
    received_notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["asked_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(received_on__isnull=True),
                name="sar_one_open_pause",
            ),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(received_on__gte=F("asked_on")),
                name="sar_pause_answered_after_asked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} asked for on {self.asked_on}"

    @property
    def is_open(self) -> bool:
        return self.received_on is None


class RequestSubject(models.Model):
    """A person on the record that the request is about, and their gathered case file.

    Deleting the person (erasure at the end of retention) takes their gathered file with
    them: the request keeps its own details.
    """

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="subjects"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    gather_job = models.ForeignKey(
        "casemgmt.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    gathered_at = models.DateTimeField(null=True, blank=True)
    item_count = models.PositiveIntegerField(default=0)
    # Names and details to look out for, found when the file was gathered (thirdparty.py).
    third_parties = models.JSONField(default=list, blank=True)
    release_job = models.ForeignKey(
        "casemgmt.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    release_pdf = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    release_zip = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    release_pages = models.PositiveIntegerField(default=0)
    release_attachments = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "person"], name="sar_person_once"),
        ]

    def __str__(self) -> str:
        return f"Person {self.person_id} on {self.request_id}"

    @property
    def is_gathered(self) -> bool:
        return self.gathered_at is not None


class ReviewItem(models.Model):
    """One row of the gathered case file, as printed, and the reviewer's decision on it."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Not yet decided"
        RELEASE = "release", "Release"
        RELEASE_COPY = "release_copy", "Release the redacted copy"
        WITHHOLD = "withhold", "Withhold"

    subject = models.ForeignKey(RequestSubject, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(max_length=20)
    kind = models.CharField(max_length=20)
    source_id = models.BigIntegerField()
    position = models.PositiveIntegerField()
    # [{"key", "label", "text", "style"}] as documents.casefile_items made them.
    fields = models.JSONField(default=list)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    document_version = models.ForeignKey(
        DocumentVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    redacted_copy = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=15, choices=Decision.choices, default=Decision.PENDING)
    exemption = models.CharField(max_length=30, choices=Exemption.choices, blank=True)
    # Withheld without a "[Withheld]" line, where saying so would itself cause the harm.
    leave_out = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["subject", "position"], name="sar_item_order"),
            models.Index(fields=["subject", "section", "position"], name="sar_item_section"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "kind", "source_id"], name="sar_item_once_per_row"
            ),
            models.CheckConstraint(
                condition=Q(decision="withhold", exemption__gt="")
                | (~Q(decision="withhold") & Q(exemption="", leave_out=False)),
                name="sar_item_withheld_has_exemption",
            ),
            models.CheckConstraint(
                condition=~Q(decision="release_copy") | Q(redacted_copy__isnull=False),
                name="sar_item_copy_released_exists",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_id}"

    @property
    def is_document(self) -> bool:
        return self.document_id is not None


class Redaction(models.Model):
    """Characters [start, end) of one field of an item, taken out of the release, and why."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="redactions")
    field_key = models.CharField(max_length=80)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField(help_text="The words taken out, to show the reviewer.")
    exemption = models.CharField(max_length=30, choices=Exemption.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["field_key", "start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="sar_redaction_not_empty"),
            models.UniqueConstraint(
                fields=["item", "field_key", "start", "end"], name="sar_redaction_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Redaction of {self.field_key} [{self.start}:{self.end}]"


class DeadlineNotice(models.Model):
    """A reminder sent to a request's owner: once per kind and deadline (a new deadline re-arms)."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Due within 7 days"
        OVERDUE = "overdue", "Overdue"

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind", "due_on"], name="sar_notice_once_per_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} notice for {self.request_id} (due {self.due_on})"
