from django.db import migrations

# (code, name, male, female, reciprocal code, category, genogram)
RELATIONSHIP_TYPES = [
    ("parent", "Parent", "Father", "Mother", "child", "family", "parent"),
    ("child", "Child", "Son", "Daughter", "parent", "family", "child"),
    ("sibling", "Sibling", "Brother", "Sister", "sibling", "family", "sibling"),
    ("half-sibling", "Half-sibling", "Half-brother", "Half-sister", "half-sibling", "family", "sibling"),
    ("partner", "Partner", "", "", "partner", "family", "partner"),
    ("spouse", "Spouse", "Husband", "Wife", "spouse", "family", "partner"),
    ("former-partner", "Former partner", "", "", "former-partner", "family", "partner"),
    ("grandparent", "Grandparent", "Grandfather", "Grandmother", "grandchild", "family", "none"),
    ("grandchild", "Grandchild", "Grandson", "Granddaughter", "grandparent", "family", "none"),
    ("step-parent", "Step-parent", "Stepfather", "Stepmother", "step-child", "family", "none"),
    ("step-child", "Step-child", "Stepson", "Stepdaughter", "step-parent", "family", "none"),
    ("aunt-uncle", "Aunt or uncle", "Uncle", "Aunt", "niece-nephew", "family", "none"),
    ("niece-nephew", "Niece or nephew", "Nephew", "Niece", "aunt-uncle", "family", "none"),
    ("carer", "Carer", "", "", "cared-for", "professional", "none"),
    ("cared-for", "Cared-for person", "", "", "carer", "professional", "none"),
    ("foster-carer", "Foster carer", "", "", "foster-child", "professional", "none"),
    ("foster-child", "Foster child", "", "", "foster-carer", "professional", "none"),
    ("household-member", "Household member", "", "", "household-member", "household", "none"),
    ("friend", "Friend", "", "", "friend", "other", "none"),
    ("neighbour", "Neighbour", "", "", "neighbour", "other", "none"),
]

INVOLVEMENT_ROLES = [
    ("allocated-social-worker", "Allocated social worker", True),
    ("key-worker", "Key worker", True),
    ("occupational-therapist", "Occupational therapist", False),
    ("independent-reviewing-officer", "Independent reviewing officer", False),
    ("personal-adviser", "Personal adviser (leaving care)", False),
    ("family-support-worker", "Family support worker", False),
    ("reablement-worker", "Reablement worker", False),
    ("team-involvement", "Team involvement (unallocated)", False),
]

ALERT_TYPES = [
    ("risk-to-staff", "Risk to staff", "warning"),
    ("lone-working", "Do not visit alone", "warning"),
    ("safeguarding", "Safeguarding concern", "warning"),
    ("child-protection-plan", "Child protection plan", "warning"),
    ("domestic-abuse", "Domestic abuse (MARAC)", "warning"),
    ("interpreter-needed", "Interpreter needed", "information"),
    ("communication-needs", "Communication needs", "information"),
    ("animals-at-property", "Animals at property", "information"),
    ("key-safe", "Key safe at property", "information"),
]

NOTE_TYPES = [
    ("home-visit", "Home visit"),
    ("statutory-visit", "Statutory visit"),
    ("telephone-call", "Telephone call"),
    ("office-visit", "Office visit"),
    ("email-letter", "Email or letter"),
    ("meeting", "Meeting"),
    ("multi-agency", "Multi-agency discussion"),
    ("management-oversight", "Management oversight"),
    ("supervision", "Supervision"),
    ("direct-work", "Direct work with child"),
    ("case-note", "General case note"),
]


def forwards(apps, schema_editor):
    RelationshipType = apps.get_model("clients", "RelationshipType")
    InvolvementRole = apps.get_model("clients", "InvolvementRole")
    AlertType = apps.get_model("clients", "AlertType")
    NoteType = apps.get_model("clients", "NoteType")
    by_code = {}
    for order, (code, name, male, female, _, category, genogram) in enumerate(RELATIONSHIP_TYPES):
        by_code[code], _ = RelationshipType.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "male_name": male, "female_name": female,
                "category": category, "genogram": genogram, "sort_order": order,
            },
        )
    for code, *_, reciprocal, _category, _genogram in RELATIONSHIP_TYPES:
        relationship_type = by_code[code]
        relationship_type.reciprocal = by_code[reciprocal]
        relationship_type.save(update_fields=["reciprocal"])
    for code, name, is_allocation in INVOLVEMENT_ROLES:
        InvolvementRole.objects.get_or_create(code=code, defaults={"name": name, "is_allocation": is_allocation})
    for code, name, severity in ALERT_TYPES:
        AlertType.objects.get_or_create(code=code, defaults={"name": name, "severity": severity})
    for code, name in NOTE_TYPES:
        NoteType.objects.get_or_create(code=code, defaults={"name": name})


def backwards(apps, schema_editor):
    # Reference rows may be in use by then; leaving them is harmless and safe.
    pass


class Migration(migrations.Migration):
    """The relationship types, involvement roles, alert and note types a council starts with."""

    dependencies = [("clients", "0002_people")]

    operations = [migrations.RunPython(forwards, backwards)]
