"""The code lists of the statutory returns, as the facts rows store them.

Children's codes are the Department for Education's, exactly as the CIN census and the
SSDA903 return spell them. Adults' codes are short keys whose labels are the NHS England
Client Level Data (CLD) values, spelt as the CSV carries them, so an export writes the
label. The safeguarding, S47 and DoLS lists that no return fixes follow the Safeguarding
Adults Collection and common practice. Each list is a tuple of (code, label) pairs: usable
as model `choices` and as a configuration pack's code list. The DfE and NHS England revise
some lists every year; a change here needs a migration of the models that use it.
"""

from __future__ import annotations

Choices = tuple[tuple[str, str], ...]


def codes(choices: Choices) -> frozenset[str]:
    return frozenset(code for code, _ in choices)


def label(choices: Choices, code: str) -> str:
    return dict(choices).get(code, code)


# -- Children in Need census ---------------------------------------------------------------

REFERRAL_SOURCE: Choices = (
    ("1A", "Individual: family member, relative or carer"),
    ("1B", "Individual: acquaintance (including neighbours and child minders)"),
    ("1C", "Individual: self"),
    ("1D", "Individual: other"),
    ("2A", "Schools"),
    ("2B", "Education services"),
    ("3A", "Health services: GP"),
    ("3B", "Health services: health visitor"),
    ("3C", "Health services: school nurse"),
    ("3D", "Health services: other primary health services"),
    ("3E", "Health services: A&E"),
    ("3F", "Health services: other"),
    ("4", "Housing"),
    ("5A", "LA services: social care, e.g. adults' social care"),
    ("5B", "LA services: other internal"),
    ("5C", "LA services: external, e.g. from another LA's children's social care"),
    ("5D", "LA services: early help"),
    ("6", "Police"),
    ("7", "Other legal agency"),
    ("8", "Other"),
    ("9", "Anonymous"),
    ("10", "Unknown"),
)

PRIMARY_NEED: Choices = (
    ("N1", "Abuse or neglect"),
    ("N2", "Child's disability"),
    ("N3", "Parental illness or disability"),
    ("N4", "Family in acute stress"),
    ("N5", "Family dysfunction"),
    ("N6", "Socially unacceptable behaviour"),
    ("N7", "Low income"),
    ("N8", "Absent parenting"),
    ("N9", "Cases other than children in need"),
    ("N0", "Not stated"),
)

CLOSURE_REASON: Choices = (
    ("RC1", "Adopted"),
    ("RC2", "Died"),
    ("RC3", "Child arrangements order"),
    ("RC4", "Special guardianship order"),
    ("RC5", "Transferred to services of another local authority"),
    ("RC6", "Transferred to adult social care services"),
    ("RC7", "Services ceased for any other reason, including child no longer in need"),
    ("RC8", "Case closed after assessment, no further action"),
    ("RC9", "Case closed after assessment, referred to early help"),
)

ABUSE_CATEGORY: Choices = (
    ("NEG", "Neglect"),
    ("PHY", "Physical abuse"),
    ("SAB", "Sexual abuse"),
    ("EMO", "Emotional abuse"),
    ("MUL", "Multiple (not recommended for use)"),
)

_CONCERNING = ("the child", "a parent or carer", "another person living in the household")
_FACTOR_TOPICS = (
    ("1", "Alcohol misuse"),
    ("2", "Drug misuse"),
    ("3", "Domestic abuse"),
    ("4", "Mental health"),
    ("5", "Learning disability"),
    ("6", "Physical disability or illness"),
)
ASSESSMENT_FACTORS: Choices = (
    *(
        (f"{number}{letter}", f"{topic}: concerns about {who}")
        for number, topic in _FACTOR_TOPICS
        for letter, who in zip("ABC", _CONCERNING, strict=True)
    ),
    ("7A", "Young carer"),
    ("8B", "Privately fostered: overseas child who intends to return"),
    ("8C", "Privately fostered: overseas child who intends to stay"),
    ("8D", "Privately fostered: UK child in education or training"),
    ("8E", "Privately fostered: UK child arising from family difficulties"),
    ("8F", "Privately fostered: UK child, other"),
    ("9A", "Unaccompanied asylum-seeking child"),
    ("10A", "Going or being missing"),
    ("11A", "Child sexual exploitation"),
    ("12A", "Trafficking"),
    ("13A", "Gangs"),
    ("14A", "Socially unacceptable behaviour"),
    ("15A", "Self-harm"),
    ("16A", "Abuse or neglect: neglect"),
    ("17A", "Abuse or neglect: emotional abuse"),
    ("18B", "Abuse or neglect: physical abuse by an adult"),
    ("18C", "Abuse or neglect: physical abuse by another child"),
    ("19B", "Abuse or neglect: sexual abuse by an adult"),
    ("19C", "Abuse or neglect: sexual abuse by another child"),
    ("20", "Other"),
    ("21", "No factors identified"),
    ("22A", "Female genital mutilation"),
    ("23A", "Abuse linked to faith or belief"),
    ("24A", "Child criminal exploitation"),
)
# "No factors identified" cannot be given with any other factor.
NO_FACTORS_IDENTIFIED = "21"

UPN_UNKNOWN: Choices = (
    ("UN1", "Child is now adopted"),
    ("UN2", "Child has never attended a school in England"),
    ("UN3", "Child is educated outside England"),
    ("UN4", "Child newly arrived in England, UPN not yet obtained"),
    ("UN5", "Sources collating UPNs reflect significantly different information"),
    ("UN6", "Child aged under 6 and not yet attending school"),
    ("UN7", "Referral with no further action"),
)

# Not a DfE list: how a section 47 enquiry concluded (the census asks only whether an
# initial conference was needed, which follows from the outcome).
S47_OUTCOME: Choices = (
    ("icpc", "Initial child protection conference"),
    ("cin", "Continue as a child in need"),
    ("nfa", "No further action"),
)

# -- SSDA903: children looked after ----------------------------------------------------

REASON_NEW_EPISODE: Choices = (
    ("S", "Started to be looked after"),
    ("L", "Change of legal status only"),
    ("P", "Change of placement and carer(s) only"),
    ("T", "Change of both legal status and placement and carer(s) at the same time"),
    ("B", "Change of placement but with the same carer(s)"),
    ("U", "Change of legal status and change of placement but with the same carer(s)"),
)

LEGAL_STATUS: Choices = (
    ("C1", "Interim care order"),
    ("C2", "Full care order"),
    ("D1", "Freeing order granted"),
    ("E1", "Placement order granted"),
    ("V2", "Single period of accommodation under section 20"),
    ("V3", "Agreed series of short-term breaks, individual episodes recorded"),
    ("V4", "Agreed series of short-term breaks, agreements recorded"),
    ("J1", "Remanded to local authority or youth detention accommodation"),
    ("J2", "Placed in local authority accommodation under PACE"),
    ("J3", "Sentenced to a youth rehabilitation order with residence requirement"),
    ("L1", "Under police protection and in local authority accommodation"),
    ("L2", "Emergency protection order"),
    ("L3", "Under a child assessment order and in local authority accommodation"),
)
SHORT_BREAK_LEGAL_STATUSES = frozenset({"V3", "V4"})

CATEGORY_OF_NEED: Choices = tuple(
    choice
    for choice in PRIMARY_NEED
    if choice[0] in {"N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"}
)

PLACEMENT_TYPE: Choices = (
    ("A3", "Placed for adoption with parental consent, with current foster carer(s)"),
    ("A4", "Placed for adoption with parental consent, not with current foster carer(s)"),
    ("A5", "Placed for adoption with a placement order, with current foster carer(s)"),
    ("A6", "Placed for adoption with a placement order, not with current foster carer(s)"),
    ("K1", "Secure children's home"),
    ("K2", "Children's home"),
    ("K3", "Supported accommodation registered with Ofsted"),
    ("P1", "Placed with own parent(s) or other person(s) with parental responsibility"),
    ("P3", "Residential employment"),
    ("R1", "Residential care home"),
    ("R2", "NHS or other establishment providing medical or nursing care"),
    ("R3", "Family centre or mother and baby unit"),
    ("R5", "Young offender institution or prison"),
    ("S1", "Residential school"),
    ("T0", "Temporary move: all types"),
    ("T1", "Temporary period in hospital"),
    ("T2", "Temporary absence on holiday"),
    ("T3", "Temporary accommodation while the usual foster carer is on holiday"),
    ("T4", "Temporary accommodation of seven days or less"),
    ("U1", "Foster placement with a relative or friend: long-term fostering"),
    ("U2", "Foster placement with a relative or friend who is an approved adopter"),
    ("U3", "Foster placement with a relative or friend: not long-term or FFA"),
    ("U4", "Foster placement with another foster carer: long-term fostering"),
    ("U5", "Foster placement with another foster carer who is an approved adopter"),
    ("U6", "Foster placement with another foster carer: not long-term or FFA"),
    ("Z11", "Other placement: with a young person's own arrangements"),
    ("Z12", "Other placement: supported lodgings not registered with Ofsted"),
    ("Z13", "Other placement: unregistered accommodation"),
    ("Z14", "Other placement: any other"),
)
ADOPTION_PLACEMENT_TYPES = frozenset({"A3", "A4", "A5", "A6"})
TEMPORARY_PLACEMENT_TYPES = frozenset({"T0", "T1", "T2", "T3", "T4"})

PLACEMENT_PROVIDER: Choices = (
    ("PR0", "Parent(s) or other person(s) with parental responsibility"),
    ("PR1", "Own provision (by the local authority)"),
    ("PR2", "Other local authority provision"),
    ("PR3", "Other public provision (e.g. by a primary care trust)"),
    ("PR4", "Private provision"),
    ("PR5", "Voluntary, not-for-profit or charity provision"),
)

REASON_EPISODE_CEASED: Choices = (
    ("E11", "Adopted: application for an adoption order unopposed"),
    ("E12", "Adopted: consent dispensed with by the court"),
    ("E13", "Left care to live with parent(s), relative(s) or others, no parental responsibility"),
    ("E14", "Accommodation on remand ended"),
    ("E15", "Age assessment determined the child is aged 18 or over"),
    ("E16", "Child moved abroad"),
    ("E17", "Aged 18 or over and remained with current carers (staying put)"),
    ("E2", "Died"),
    ("E3", "Care taken by another local authority"),
    ("E41", "Child arrangements order (residence) granted"),
    ("E45", "Special guardianship order to former foster carers who are relatives or friends"),
    ("E46", "Special guardianship order to former foster carers, not relatives or friends"),
    ("E47", "Special guardianship order to other carers who are relatives or friends"),
    ("E48", "Special guardianship order to other carers, not relatives or friends"),
    ("E4A", "Returned home to parent(s) or others with parental responsibility, as planned"),
    ("E4B", "Returned home to parent(s) or others with parental responsibility, not planned"),
    ("E5", "Moved into independent living with formalised support"),
    ("E6", "Moved into independent living with no formalised support"),
    ("E7", "Transferred to residential care funded by adult social care"),
    ("E8", "Period of being looked after ceased for any other reason"),
    ("E9", "Sentenced to custody"),
    ("X1", "Episode ceases and a new episode begins on the same day"),
)
# X1 belongs to a derived 903 episode, never to the end of a period of care.
REASON_CARE_CEASED: Choices = tuple(c for c in REASON_EPISODE_CEASED if c[0] != "X1")

REASON_PLACE_CHANGE: Choices = (
    ("CARPL", "Change to or implementation of the care plan"),
    ("CLOSE", "Resignation or closure of the provision"),
    ("ALLEG", "Allegation (section 47)"),
    ("STAND", "Standards of care concern"),
    ("APPRR", "Approval removed"),
    ("CREQB", "Carer requests the placement ends: child's behaviour"),
    ("CREQO", "Carer requests the placement ends: other"),
    ("CHILD", "Child requests the placement ends"),
    ("LAREQ", "Responsible or area authority requests the placement ends"),
    ("PLACE", "Change in the status of the placement only"),
    ("CUSTOD", "Custody arrangement"),
    ("OTHER", "Other"),
)

REVIEW_PARTICIPATION: Choices = (
    ("PN0", "Child aged under 4 at the time of the review"),
    ("PN1", "Child physically attends and speaks for themselves"),
    ("PN2", "Child physically attends; an advocate speaks for them"),
    ("PN3", "Child attends and conveys their view symbolically (non-verbally)"),
    ("PN4", "Child physically attends but does not convey their view"),
    ("PN5", "Child does not attend but briefs an advocate to speak for them"),
    ("PN6", "Child does not attend but conveys their feelings by a facilitative medium"),
    ("PN7", "Child does not attend nor are their views conveyed"),
)

MISSING_TYPE: Choices = (
    ("M", "Missing"),
    ("A", "Away from placement without authorisation"),
)

IN_TOUCH: Choices = (
    ("YES", "Yes, in touch"),
    ("NO", "No, not in touch"),
    ("DIED", "Young person has died"),
    ("REFU", "Young person refuses contact"),
    ("NREQ", "Young person no longer requires services"),
    ("RHOM", "Young person has returned home"),
)

CARE_LEAVER_ACTIVITY: Choices = (
    ("F1", "Full-time in higher education"),
    ("P1", "Part-time in higher education"),
    ("F2", "Full-time in education other than higher education"),
    ("P2", "Part-time in education other than higher education"),
    ("F4", "Full-time in employment"),
    ("P4", "Part-time in employment"),
    ("F5", "Full-time in training or an apprenticeship"),
    ("P5", "Part-time in training or an apprenticeship"),
    ("G4", "Not in education, employment or training: illness or disability"),
    ("G5", "Not in education, employment or training: other reasons"),
    ("G6", "Not in education, employment or training: pregnancy or parenting"),
    ("0", "Not known: not in touch"),
)

_ACCOMMODATION_KINDS = (
    ("B", "With parents or relatives"),
    ("C", "Community home or other residential care"),
    ("D", "Semi-independent, transitional or self-contained accommodation"),
    ("E", "Supported lodgings"),
    ("G", "Gone abroad"),
    ("H", "Deported"),
    ("K", "Ordinary lodgings without formal support"),
    ("R", "With former foster carers"),
    ("T", "Foyer or similar supported accommodation"),
    ("U", "Independent living"),
    ("V", "Emergency accommodation"),
    ("W", "Bed and breakfast"),
    ("Y", "Other accommodation"),
    ("Z", "With former foster carers: staying put"),
)
CARE_LEAVER_ACCOMMODATION: Choices = (
    *(
        (f"{letter}{suitability}", f"{kind}: {'suitable' if suitability == 1 else 'unsuitable'}")
        for letter, kind in _ACCOMMODATION_KINDS
        for suitability in (1, 2)
    ),
    ("S2", "No fixed abode or homeless: unsuitable"),
    ("X2", "In custody: unsuitable"),
    ("0", "Not known: not in touch"),
)

SDQ_REASON: Choices = (
    ("SDQ1", "No form returned: child aged under 4 or over 17 at the assessment"),
    ("SDQ2", "Carer(s) refused to complete and return the questionnaire"),
    ("SDQ3", "Not possible because of the severity of the child's disability"),
    ("SDQ4", "Other"),
    ("SDQ5", "Child or young person refuses to allow an SDQ to be completed"),
)

# Which OC2 measure a health check row counts towards.
HEALTH_CHECK_KIND: Choices = (
    ("health_assessment", "Annual health assessment"),
    ("dental_check", "Dental check"),
    ("immunisations", "Immunisations up to date"),
    ("development_check", "Health surveillance or development check (under 5)"),
)

PREVIOUS_PERMANENCE: Choices = (
    ("P1", "Adoption"),
    ("P2", "Special guardianship order"),
    ("P3", "Residence order or child arrangements order (with whom to live)"),
    ("Z1", "Not known whether a previous permanence order was made"),
)

ADOPTION_DECISION_REVERSED: Choices = (
    ("RD1", "The child's needs changed after the decision"),
    ("RD2", "The court did not make a placement order"),
    ("RD3", "Prospective adopters could not be found"),
    ("RD4", "Any other reason"),
)

ADOPTERS_SEX: Choices = (
    ("M1", "Single male adopter"),
    ("F1", "Single female adopter"),
    ("MM", "Male couple"),
    ("FF", "Female couple"),
    ("MF", "Male and female couple"),
)

ADOPTERS_LEGAL_STATUS: Choices = (
    ("L0", "Single person"),
    ("L11", "Married couple, opposite sex"),
    ("L12", "Married couple, same sex"),
    ("L2", "Civil partners"),
    ("L3", "Unmarried couple, opposite sex"),
    ("L4", "Unmarried couple, same sex"),
)

CONFERENCE_KIND: Choices = (
    ("initial", "Initial child protection conference"),
    ("review", "Review child protection conference"),
)

# -- Adult Social Care Client Level Data ---------------------------------------------------

ROUTE_OF_ACCESS: Choices = (
    ("planned_entry", "Planned Entry (Transition)"),
    ("hospital_discharge", "Discharge from Hospital"),
    ("hospital_diversion", "Diversion from Hospital Services"),
    ("community", "Community / Other route"),
    ("prison", "Prison"),
    ("self_funder", "Self-Funder"),
    ("reablement_discharge", "Discharge from Reablement"),
    ("other_la", "Transfer from Other LA"),
)

EVENT_OUTCOME: Choices = (
    ("admitted_hospital", "Admitted to hospital"),
    ("progress_reablement", "Progress to Reablement/ST-Max"),
    ("progress_assessment", "Progress to Assessment"),
    ("progress_reassessment", "Progress to Re-assessment / Unplanned Review"),
    ("progress_support_planning", "Progress to Support Planning / Services"),
    ("progress_end_of_life", "Progress to End of Life Care"),
    ("progress_financial_assessment", "Progress to financial assessment"),
    ("provision_of_service", "Provision of service"),
    ("no_change", "No change in package"),
    ("service_ended_planned", "Service ended as planned"),
    ("nfa_moved_la", "NFA - Moved to another LA"),
    ("nfa_nhs_funded", "NFA - 100% NHS funded care"),
    ("nfa_self_funded", "NFA - Self-funded client (Inc 12wk disregard)"),
    ("nfa_declined", "NFA - Support declined"),
    ("nfa_information", "NFA - Information & Advice / Signposting only"),
    ("nfa_deceased", "NFA - Deceased"),
    ("nfa_no_services", "NFA - No services offered: Other reason"),
    ("nfa_support_ended", "NFA - Support ended: Other reason"),
    ("nfa_other", "NFA - Other"),
)

ASSESSMENT_TYPE: Choices = (
    ("long_term", "Long Term Assessment"),
    ("short_term", "Short Term Assessment"),
)

# Method_of_Assessment and Method_of_Review: who took part.
ASSESSMENT_METHOD: Choices = (
    ("service_user", "Service user only"),
    ("carer", "Carer only"),
    ("service_user_and_carer", "Service user and carer"),
)

PRIMARY_SUPPORT_REASON: Choices = (
    ("physical_access", "Physical Support: Access & mobility only"),
    ("physical_personal_care", "Physical Support: Personal care support"),
    ("sensory_visual", "Sensory Support: Support for visual impairment"),
    ("sensory_hearing", "Sensory Support: Support for hearing impairment"),
    ("sensory_dual", "Sensory Support: Support for dual impairment"),
    ("memory_cognition", "Support with Memory and Cognition"),
    ("learning_disability", "Learning Disability Support"),
    ("mental_health", "Mental Health Support"),
    ("social_substance_misuse", "Social Support: Substance misuse support"),
    ("social_asylum_seeker", "Social Support: Asylum seeker support"),
    ("social_isolation", "Social Support: Support for Social Isolation/Other"),
)

ACCOMMODATION_STATUS: Choices = (
    ("owner_occupier", "Owner occupier or shared ownership scheme"),
    (
        "tenant_social",
        "Tenant - Local Authority/Arm's Length Management Organisation/"
        "Registered Social Landlord/Housing Association",
    ),
    ("tenant_private", "Tenant - private landlord"),
    ("settled_with_family", "Settled mainstream housing with family/friends"),
    ("supported", "Supported accommodation/supported lodgings/supported group home"),
    ("shared_lives", "Shared Lives scheme"),
    (
        "approved_premises",
        "Approved premises for offenders released from prison or under probation supervision",
    ),
    ("sheltered", "Sheltered housing/extra care housing/other sheltered housing"),
    ("mobile", "Mobile accommodation for Gypsy/Roma and Traveller communities"),
    ("rough_sleeper", "Rough sleeper/squatting"),
    ("night_shelter", "Night shelter/emergency hostel/direct access hostel"),
    ("refuge", "Refuge"),
    (
        "temporary_council",
        "Placed in temporary accommodation by the council (inc. homelessness resettlement)",
    ),
    ("temporary_guest", "Staying with family/friends as a short-term guest"),
    ("healthcare", "Acute/long-term healthcare residential facility or hospital"),
    ("care_home", "Registered care home"),
    ("nursing_home", "Registered nursing home"),
    ("prison", "Prison/Young offenders institution/detention centre"),
    ("other_temporary", "Other temporary accommodation"),
    ("unknown", "Unknown"),
)

EMPLOYMENT_STATUS: Choices = (
    ("paid_16_or_more", "In paid employment (16 or more hours a week)"),
    ("paid_under_16", "In paid employment (less than 16 hours a week)"),
    ("paid_hours_unknown", "In paid employment (hours unknown)"),
    ("seeking_work", "Not in paid employment (seeking work)"),
    ("not_seeking_work", "Not in paid employment (not seeking work/retired)"),
    ("voluntary", "Not in paid employment (voluntary work only)"),
    ("unknown", "Unknown"),
)

CLIENT_FUNDING_STATUS: Choices = (
    ("la_funded", "Fully funded by the local authority"),
    ("part_funded", "Part funded by the local authority (client contributes)"),
    ("full_cost", "Full cost client"),
    ("self_funder", "Self-funder"),
    ("nhs_funded", "Fully NHS funded"),
    ("unknown", "Unknown"),
)

SERVICE_TYPE: Choices = (
    ("lts_nursing", "Long Term Support: Nursing Care"),
    ("lts_residential", "Long Term Support: Residential Care"),
    ("lts_community", "Long Term Support: Community"),
    ("lts_prison", "Long Term Support: Prison"),
    ("sts_st_max", "Short Term Support: ST-Max"),
    ("sts_low_level", "Short Term Support: Ongoing Low Level"),
    ("sts_other", "Short Term Support: Other Short Term"),
    ("carer_direct", "Carer Support: Direct to Carer"),
    ("carer_via_cared_for", "Carer Support: Support involving the person cared-for"),
)

SERVICE_COMPONENT: Choices = (
    ("reablement", "Reablement"),
    ("short_term_nursing", "Short Term Nursing Care"),
    ("short_term_residential", "Short Term Residential Care"),
    ("long_term_nursing", "Long Term Nursing Care"),
    ("long_term_residential", "Long Term Residential Care"),
    ("home_support", "Home Support"),
    ("day_support", "Day Support"),
    ("meals", "Meals"),
    ("transport", "Transport"),
    ("equipment", "Equipment"),
    ("direct_payment", "Direct Payment"),
    ("shared_lives", "Shared Lives"),
    ("supported_living", "Community Supported Living"),
    ("professional_support", "Professional Support"),
    ("learning_employment", "Learning/Education/Employment Support"),
    ("end_of_life", "End of Life Care"),
    ("emergency", "Emergency Support"),
    ("carer_respite", "Carer Respite"),
    ("carer_support", "Carer Support"),
    ("other_short_term", "Other Short Term Support"),
    ("other_long_term", "Other Long Term Support"),
)

DELIVERY_MECHANISM: Choices = (
    ("direct_payment", "Direct Payment"),
    ("managed_budget", "CASSR Managed Personal Budget"),
    ("commissioned", "CASSR Commissioned Support"),
    ("self_funder", "Self-Funder Metering Only"),
)

COST_FREQUENCY: Choices = (
    ("hourly", "Hourly"),
    ("daily", "Daily"),
    ("weekly", "Weekly"),
    ("fortnightly", "Fortnightly"),
    ("four_weekly", "4 Weekly"),
    ("monthly", "Monthly"),
    ("annually", "Annually"),
    ("one_off", "One-Off"),
)

REVIEW_REASON: Choices = (
    ("planned", "Planned"),
    ("unplanned", "Unplanned"),
)

OUTCOMES_ACHIEVED: Choices = (
    ("fully", "Fully achieved"),
    ("partially", "Partially achieved"),
    ("not_achieved", "Not achieved"),
    ("not_known", "Not known"),
)

# -- Adults' safeguarding (Safeguarding Adults Collection) and DoLS -------------------------

CONCERN_SOURCE: Choices = (
    ("social_care_staff", "Social care staff"),
    ("health_staff", "Health staff"),
    ("self", "Self-referral"),
    ("family", "Family member"),
    ("friend", "Friend or neighbour"),
    ("other_service_user", "Other service user"),
    ("cqc", "Care Quality Commission"),
    ("housing", "Housing"),
    ("education", "Education, training or workplace establishment"),
    ("police", "Police"),
    ("other", "Other"),
)

ABUSE_TYPE: Choices = (
    ("physical", "Physical abuse"),
    ("sexual", "Sexual abuse"),
    ("psychological", "Psychological abuse"),
    ("financial", "Financial or material abuse"),
    ("discriminatory", "Discriminatory abuse"),
    ("organisational", "Organisational abuse"),
    ("neglect", "Neglect and acts of omission"),
    ("domestic", "Domestic abuse"),
    ("sexual_exploitation", "Sexual exploitation"),
    ("modern_slavery", "Modern slavery"),
    ("self_neglect", "Self-neglect"),
)

ABUSE_LOCATION: Choices = (
    ("own_home", "Own home"),
    ("community", "In the community (excluding community services)"),
    ("community_service", "In a community service"),
    ("care_home_nursing", "Care home: nursing"),
    ("care_home_residential", "Care home: residential"),
    ("hospital_acute", "Hospital: acute"),
    ("hospital_mental_health", "Hospital: mental health"),
    ("hospital_community", "Hospital: community"),
    ("other", "Other"),
)

SOURCE_OF_RISK: Choices = (
    ("service_provider", "Service provider"),
    ("known", "Other: known to the individual"),
    ("unknown", "Other: unknown to the individual"),
)

CONCERN_DECISION: Choices = (
    ("s42", "Section 42 enquiry"),
    ("other_enquiry", "Other safeguarding enquiry (not section 42)"),
    ("no_enquiry", "No enquiry: information, advice or other action"),
)

RISK_ASSESSMENT_OUTCOME: Choices = (
    ("risk_action_taken", "Risk identified and action taken"),
    ("risk_no_action", "Risk identified and no action taken"),
    ("no_risk", "Risk assessed and no risk identified"),
    ("ceased", "Enquiry ceased at the individual's request and no action taken"),
)

RISK_OUTCOME: Choices = (
    ("removed", "Risk removed"),
    ("reduced", "Risk reduced"),
    ("remains", "Risk remains"),
)

DOLS_TYPE: Choices = (
    ("urgent", "Urgent authorisation (with a standard request)"),
    ("standard", "Standard authorisation"),
)

DOLS_DECISION: Choices = (
    ("granted", "Authorisation granted"),
    ("not_granted", "Authorisation not granted"),
    ("withdrawn", "Application withdrawn"),
)
