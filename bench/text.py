"""Case-note wording for the scale dataset: what workers in children's and adults' teams write.

Sentences are drawn at random and joined, with the person's first name and a few
figures filled in, so two million notes read like notes without two million calls to
a text generator.
"""

from __future__ import annotations

import random

# note type code -> (weight for children, weight for adults, subjects)
NOTE_TYPES: dict[str, tuple[float, float, tuple[str, ...]]] = {
    "home-visit": (
        20,
        25,
        ("Home visit", "Home visit to {name}", "Unannounced home visit", "Planned home visit"),
    ),
    "statutory-visit": (
        15,
        0,
        ("Statutory visit", "Statutory visit to {name}", "CP statutory visit", "LAC visit"),
    ),
    "telephone-call": (
        20,
        25,
        (
            "Call with mother",
            "Call with father",
            "Call from school",
            "Call with GP surgery",
            "Call from {name}",
            "Telephone review",
            "Call from daughter",
            "Call with care agency",
        ),
    ),
    "office-visit": (3, 3, ("Office visit", "{name} came into the office")),
    "email-letter": (
        8,
        10,
        ("Email from school", "Letter sent", "Email from health visitor", "Letter from GP"),
    ),
    "meeting": (
        8,
        6,
        ("Core group meeting", "Team around the family meeting", "Best interests meeting"),
    ),
    "multi-agency": (6, 4, ("Strategy discussion", "MASH discussion", "MARAC information")),
    "management-oversight": (
        6,
        5,
        ("Management oversight", "Manager's case direction", "Supervision decision"),
    ),
    "supervision": (3, 2, ("Case discussed in supervision",)),
    "direct-work": (
        8,
        0,
        ("Direct work with {name}", "Wishes and feelings work", "Life story work"),
    ),
    "case-note": (
        8,
        20,
        ("Case note", "Update", "Information received", "Review of care and support plan"),
    ),
}

_CHILD = [
    "Visited {name} at home as planned; {carer} was present at the start of the visit.",
    "{name} was seen alone in their bedroom and spoke openly about school and friends.",
    "{name} said they feel safe at home and named {carer} as the person they would talk to.",
    "{carer} reported that {name} has been sleeping better since the last visit.",
    "The home conditions were adequate: there was food in the fridge and the heating was on.",
    "The kitchen was cluttered and there were unwashed dishes; this was discussed with {carer}.",
    "Attendance this term is {percent}%, down from last term; the school has offered a meeting.",
    "Telephone call from the designated safeguarding lead about a bruise noticed in PE.",
    "{name} presented as quiet but engaged well once we started drawing together.",
    "We completed a three houses exercise; {name}'s worries were mostly about arguments at home.",
    "{carer} became upset when the safety plan was discussed but agreed to the actions.",
    "The health visitor confirmed that immunisations are up to date.",
    "The dentist appointment was missed again; {carer} said they had no money for the bus.",
    "Discussed the written agreement; all agreed actions remain in place.",
    "{name} has been missing from home twice this month, returning the next morning each time.",
    "Police shared a domestic incident notification from {days} days ago; no arrests were made.",
    "The core group agreed that the plan is progressing but the risks remain.",
    "{name}'s foster carer reports that contact with birth family went well this week.",
    "{name} asked about seeing their younger sibling; I will raise this at the review.",
    "Referral to CAMHS has been accepted; the first appointment is in {days} days.",
    "The school reports that {name} has settled into the new class and is making friends.",
    "No concerns were raised by the nursery about {name}'s presentation this week.",
    "I explained the outcome of the assessment and gave {carer} a copy.",
    "{carer} has engaged with the parenting programme and attended {count} of 8 sessions.",
]
_ADULT = [
    "Visited {name} at home; their daughter was present for part of the visit.",
    "{name} reported two falls in the past fortnight; an OT referral was discussed.",
    "The care agency confirmed that calls are happening four times a day as planned.",
    "{name} said they would like to stay at home for as long as possible.",
    "The GP confirmed that medication was reviewed last week and a blister pack arranged.",
    "{name} appeared thinner than at the last visit; a referral to the dietitian was agreed.",
    "A carer's assessment was offered to {name}'s husband, who accepted.",
    "The key safe code was checked and the carers have access.",
    "{name} was able to explain the risks of living alone and the choices they are making.",
    "A mental capacity assessment about care and support needs is planned for next week.",
    "Agreed to review the care and support plan in {count} weeks.",
    "The financial assessment has been completed; the weekly contribution is GBP {amount}.",
    "{name} was discharged from hospital on {days} day reablement with two carers.",
    "The property was warm and clean; there was fresh food and the fridge was working.",
    "Concerns were raised by a neighbour about visitors to the flat late at night.",
    "{name} declined the offer of a day centre place but agreed to a sitting service.",
    "The district nurse is visiting daily for wound care; the pressure area is improving.",
    "The safeguarding enquiry was discussed with {name}, who wants the police involved.",
    "Equipment was delivered: a perching stool, a raised toilet seat and a second bannister.",
    "{name}'s son rang to say he is worried about his mother's memory.",
]
_COMMON = [
    "Management oversight: the plan remains appropriate; next review in {count} weeks.",
    "Case discussed in supervision; the actions below were agreed.",
    "I will update the chronology and share this note with the team manager.",
    "No further action needed at this stage; the case will be reviewed at the next visit.",
    "An interpreter was used for the whole visit.",
    "Information was shared with partner agencies under the data sharing agreement.",
    "Next visit booked for {days} days' time.",
]
_ACTIONS = [
    "Social worker to chase the referral.",
    "Team manager to review the plan.",
    "Send a copy of the assessment to the family.",
    "Book the next review meeting.",
    "Update the safety plan with the new contact details.",
    "Ask the GP for an update.",
]
_CARERS = ["mum", "dad", "the foster carer", "grandmother", "the kinship carer", "their aunt"]
_HIDE_REASONS = [
    "Recorded on the wrong person's chronology.",
    "Duplicate of an entry already on the chronology.",
    "Not significant on review with the team manager.",
]


def hide_reason(rng: random.Random) -> str:
    return rng.choice(_HIDE_REASONS)


def note_body(rng: random.Random, name: str, *, child: bool) -> str:
    """A plausible note, 2 to 8 sentences and sometimes a list of actions."""
    pool = _CHILD if child else _ADULT
    sentences = []
    for _ in range(rng.randint(2, 8)):
        template = rng.choice(_COMMON) if rng.random() < 0.15 else rng.choice(pool)
        sentences.append(
            template.format(
                name=name,
                carer=rng.choice(_CARERS),
                percent=rng.randint(60, 98),
                days=rng.randint(2, 21),
                count=rng.randint(2, 8),
                amount=f"{rng.randint(10, 250)}.{rng.randint(0, 99):02d}",
            )
        )
    body = " ".join(sentences)
    if rng.random() < 0.3:
        actions = rng.sample(_ACTIONS, rng.randint(1, 3))
        body += "\n\nActions:\n" + "\n".join(f"- {action}" for action in actions)
    return body


def note_subject(rng: random.Random, type_code: str, name: str) -> str:
    return rng.choice(NOTE_TYPES[type_code][2]).format(name=name)
