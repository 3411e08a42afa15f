"""The retention rules a council starts with: the four statutory periods and a catch-all.

A council changes them in the admin (Records retention › Retention rules); they are only
added here, never overwritten.
"""

from typing import Any

from django.db import migrations

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "name": "Looked-after children",
        "category": "looked_after",
        "description": (
            "The case record of a child who has been looked after is kept until the 75th "
            "anniversary of their date of birth, or, if the child died before 18, for 15 "
            "years from the date of death: the Care Planning, Placement and Case Review "
            "(England) Regulations 2010, regulation 50. Applies to anyone with a period of "
            "care or a legal status recorded (the SSDA903 facts)."
        ),
        "trigger": "birth",
        "years": 75,
        "second_trigger": "death",
        "second_years": 15,
        "combine": "earlier",
        "second_only_if_died_before_age": 18,
        "precedence": 10,
    },
    {
        "name": "Adopted children",
        "category": "adopted",
        "description": (
            "The adoption case record is kept for at least 100 years from the date of the "
            "adoption order: the Disclosure of Adoption Information (Post-Commencement "
            "Adoptions) Regulations 2005, regulation 6, and the Adoption Agencies "
            "Regulations 2005. The order date is the end of a period of care that ceased "
            "with adoption (SSDA903 reasons E11 and E12), or the date of a previous "
            "permanence order of adoption (P1)."
        ),
        "trigger": "adoption_order",
        "years": 100,
        "precedence": 20,
    },
    {
        "name": "Foster carers",
        "category": "foster_carer",
        "description": (
            "Records about a foster carer are kept for at least 10 years from the date their "
            "approval ends: the Fostering Services (England) Regulations 2011, regulation "
            "32(3). There is no fostering module yet, so approval is taken to end with the "
            "latest end date of the person's foster-carer relationships, and to continue "
            "while any of them is open."
        ),
        "trigger": "approval_end",
        "years": 10,
        "precedence": 30,
    },
    {
        "name": "Adults",
        "category": "adult",
        "description": (
            "Adult social care records are kept for 8 years after the last contact: the "
            "Records Management Code of Practice for Health and Social Care 2021 (adult "
            "social care records). Applies to people aged 18 or over with adult social care "
            "work (an adults' workflow, a request for support, a carer's assessment, a "
            "safeguarding concern or a DoLS application). Last contact is the latest case "
            "note, completed step or end of an involvement; while work is open the period "
            "has not started."
        ),
        "trigger": "last_contact",
        "years": 8,
        "precedence": 40,
    },
    {
        "name": "Everyone else",
        "category": "other",
        "description": (
            "The catch-all for records no other rule fits, such as children's records where "
            "the child was not looked after and family members recorded alongside them: "
            "kept until the 25th birthday (the Records Management Code of Practice for "
            "Health and Social Care 2021, children's records) or 6 years after the last "
            "contact (the six-year limitation period of the Limitation Act 1980), whichever "
            "is later."
        ),
        "trigger": "birth",
        "years": 25,
        "second_trigger": "last_contact",
        "second_years": 6,
        "combine": "later",
        "precedence": 90,
    },
]


def forwards(apps: Any, schema_editor: Any) -> None:
    RetentionRule = apps.get_model("retention", "RetentionRule")
    for values in DEFAULT_RULES:
        RetentionRule.objects.get_or_create(name=values["name"], defaults=values)


def backwards(apps: Any, schema_editor: Any) -> None:
    RetentionRule = apps.get_model("retention", "RetentionRule")
    RetentionRule.objects.filter(
        name__in=[values["name"] for values in DEFAULT_RULES], reviews__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0002_add_years_function")]

    operations = [migrations.RunPython(forwards, backwards)]
