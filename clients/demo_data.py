"""Names, places and case-note wording for the demo council (clients/demo.py).

Nothing here is real. Surnames and adult first names of White British people come
from Faker's en_GB lists; the other lists are names common in England's communities.
"""

from __future__ import annotations

from dataclasses import dataclass

from faker.providers.person.en_GB import Provider as _FakerPerson

# Faker's en_GB list mixes in names that the community lists below hold, with the right
# ethnicity, language and religion; leave them out of the White British pool.
_NOT_WHITE_BRITISH = {
    "Ahmed",
    "Akhtar",
    "Ali",
    "Bibi",
    "Chan",
    "Gill",
    "Hussain",
    "Iqbal",
    "Kaur",
    "Khan",
    "Mahmood",
    "Miah",
    "Mistry",
    "Patel",
    "Rahman",
}
FAKER_SURNAMES = tuple(name for name in _FakerPerson.last_names if name not in _NOT_WHITE_BRITISH)
FAKER_MALE = tuple(_FakerPerson.first_names_male)
FAKER_FEMALE = tuple(_FakerPerson.first_names_female)

# First names given to children born in England since about 2005.
MODERN_BOYS = (
    "Oliver", "Jack", "Harry", "Jacob", "Charlie", "Thomas", "George", "Oscar", "James",
    "William", "Noah", "Alfie", "Joshua", "Leo", "Archie", "Ethan", "Riley", "Logan", "Mason",
    "Tyler", "Kai", "Liam", "Callum", "Connor", "Lewis", "Kyle", "Dylan", "Reece", "Bailey",
    "Harley", "Tommy", "Freddie", "Theo", "Finley", "Max", "Luca", "Ryan", "Jake", "Ellis",
    "Brandon", "Kayden", "Lucas", "Ronnie", "Frankie", "Jenson",
)  # fmt: skip
MODERN_GIRLS = (
    "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Mia", "Poppy", "Ella",
    "Lily", "Evie", "Isabella", "Jessica", "Chloe", "Ruby", "Millie", "Freya", "Daisy", "Holly",
    "Megan", "Lacey", "Leah", "Courtney", "Paige", "Kayla", "Skye", "Macie", "Tia", "Ellie-May",
    "Lexi", "Summer", "Phoebe", "Scarlett", "Willow", "Harper", "Maisie", "Erin", "Caitlin",
    "Jasmine", "Lola", "Darcie",
)  # fmt: skip

Weighted = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Heritage:
    """A community the demo council's people come from, and what goes with it."""

    key: str
    ethnicity: str  # the DfE/NHS code (clients.codes.Ethnicity)
    weight: int  # relative share of households
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    languages: Weighted
    religions: Weighted
    boys: tuple[str, ...] = ()
    girls: tuple[str, ...] = ()
    # Share of adults whose first language is not English who need an interpreter.
    interpreter_share: float = 0.0


HERITAGES = (
    Heritage(
        "white-british", "WBRI", 660, FAKER_MALE, FAKER_FEMALE, FAKER_SURNAMES,
        (("English", 1),),
        (("Christian", 40), ("No religion", 45), ("Not stated", 15)),
        MODERN_BOYS, MODERN_GIRLS,
    ),
    Heritage(
        "white-irish", "WIRI", 15,
        ("Sean", "Ciaran", "Padraig", "Declan", "Eoin", "Liam", "Conor", "Niall", "Brendan"),
        ("Niamh", "Siobhan", "Aoife", "Roisin", "Orla", "Ciara", "Sinead", "Bridget", "Maeve"),
        ("Murphy", "O'Brien", "Kelly", "O'Sullivan", "Byrne", "Ryan", "O'Connor", "Doyle",
         "McCarthy", "Gallagher", "Fitzpatrick", "Keane"),
        (("English", 1),), (("Christian", 80), ("No religion", 20)),
    ),
    Heritage(
        "polish", "WOTH", 45,
        ("Jakub", "Kacper", "Szymon", "Mateusz", "Piotr", "Tomasz", "Andrzej", "Marek", "Paweł",
         "Łukasz", "Krzysztof", "Michał"),
        ("Zuzanna", "Julia", "Maja", "Zofia", "Agnieszka", "Katarzyna", "Magdalena", "Anna",
         "Małgorzata", "Joanna", "Ewa", "Natalia"),
        ("Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński",
         "Szymański", "Woźniak", "Dąbrowski", "Mazur", "Krawczyk"),
        (("Polish", 4), ("English", 1)), (("Christian", 85), ("No religion", 15)),
        interpreter_share=0.3,
    ),
    Heritage(
        "romanian", "WOTH", 25,
        ("Andrei", "Mihai", "Ionuț", "Alexandru", "Florin", "Cristian", "Gabriel", "Vasile"),
        ("Ioana", "Elena", "Andreea", "Maria", "Alexandra", "Gabriela", "Mihaela", "Daniela"),
        ("Popescu", "Ionescu", "Dumitru", "Stan", "Constantin", "Gheorghe", "Munteanu", "Rusu"),
        (("Romanian", 4), ("English", 1)), (("Christian", 90), ("No religion", 10)),
        interpreter_share=0.4,
    ),
    Heritage(
        "irish-traveller", "WIRT", 6,
        ("Patrick", "Johnny", "Michael", "Martin", "Thomas", "Jimmy"),
        ("Bridget", "Mary", "Kathleen", "Margaret", "Nora", "Winnie"),
        ("McDonagh", "Ward", "Joyce", "Connors", "Maughan", "McGinley"),
        (("English", 1),), (("Christian", 1),),
    ),
    Heritage(
        "roma", "WROM", 6,
        ("Marek", "Denis", "Roman", "Milan", "Dušan", "Tibor"),
        ("Monika", "Renata", "Vanessa", "Lucie", "Jana", "Denisa"),
        ("Balog", "Lakatos", "Horváth", "Kováč", "Dudaš", "Gábor"),
        (("Slovak", 2), ("Romani", 2), ("Czech", 1)), (("Christian", 1),),
        interpreter_share=0.5,
    ),
    Heritage(
        "indian", "AIND", 35,
        ("Arjun", "Rohan", "Vikram", "Sanjay", "Rajesh", "Amit", "Kiran", "Dev", "Aarav",
         "Harpreet", "Gurpreet", "Jaswinder"),
        ("Priya", "Anjali", "Sunita", "Neha", "Pooja", "Kavita", "Simran", "Manpreet", "Divya",
         "Meera", "Asha"),
        ("Patel", "Sharma", "Singh", "Gill", "Sandhu", "Mistry", "Shah", "Desai", "Chauhan",
         "Kumar", "Parmar", "Bains"),
        (("English", 3), ("Gujarati", 2), ("Punjabi", 2)),
        (("Hindu", 45), ("Sikh", 35), ("Muslim", 10), ("No religion", 10)),
        interpreter_share=0.2,
    ),
    Heritage(
        "pakistani", "APKN", 35,
        ("Muhammad", "Ali", "Hassan", "Bilal", "Imran", "Usman", "Zain", "Ayaan", "Hamza",
         "Ibrahim", "Adnan", "Tariq"),
        ("Ayesha", "Fatima", "Zainab", "Maryam", "Hafsa", "Sana", "Amina", "Noor", "Iqra",
         "Khadija", "Mehreen", "Saima"),
        ("Khan", "Hussain", "Ahmed", "Ali", "Iqbal", "Akhtar", "Mahmood", "Rashid", "Butt",
         "Malik", "Qureshi"),
        (("English", 3), ("Urdu", 2), ("Punjabi", 1)), (("Muslim", 1),),
        interpreter_share=0.25,
    ),
    Heritage(
        "bangladeshi", "ABAN", 15,
        ("Mohammed", "Abdul", "Rahim", "Shahid", "Jamal", "Rafiq", "Sayem", "Tanvir", "Arif"),
        ("Nasima", "Shirin", "Rukhsana", "Taslima", "Jannat", "Sumaiya", "Farhana", "Salma"),
        ("Miah", "Uddin", "Rahman", "Islam", "Ahmed", "Chowdhury", "Hoque", "Ali"),
        (("English", 2), ("Bengali (Sylheti)", 3)), (("Muslim", 1),),
        interpreter_share=0.35,
    ),
    Heritage(
        "chinese", "CHNE", 8,
        ("Wei", "Jun", "Hao", "Ming", "Kai", "Daniel", "Jason", "Kevin"),
        ("Mei", "Li", "Xin", "Yan", "Jessica", "Grace", "Ling", "Hui"),
        ("Chen", "Wang", "Li", "Zhang", "Liu", "Wong", "Chan", "Lee", "Cheung", "Lam"),
        (("English", 2), ("Cantonese", 2), ("Mandarin", 2)),
        (("No religion", 50), ("Buddhist", 25), ("Christian", 25)),
        interpreter_share=0.3,
    ),
    Heritage(
        "tamil", "AOTH", 4,
        ("Karthik", "Suresh", "Nimal", "Rajan", "Prakash", "Sanjeev"),
        ("Lakshmi", "Tharshini", "Anusha", "Kavitha", "Nirosha", "Priyanka"),
        ("Sivakumar", "Rajendran", "Nadarajah", "Thevarajah", "Selvaraj", "Kandiah"),
        (("Tamil", 2), ("English", 1)), (("Hindu", 70), ("Christian", 30)),
        interpreter_share=0.3,
    ),
    Heritage(
        "filipino", "AOTH", 3,
        ("Jose", "Mark", "Ramon", "Paolo", "Carlo", "Angelo"),
        ("Maria", "Rosalie", "Joy", "Kristine", "Maricel", "Angelica"),
        ("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza"),
        (("English", 2), ("Tagalog", 1)), (("Christian", 1),),
        interpreter_share=0.1,
    ),
    Heritage(
        "nepali", "AOTH", 3,
        ("Bikash", "Suman", "Rajesh", "Dipendra", "Prem", "Anil"),
        ("Sita", "Gita", "Sunita", "Puja", "Kamala", "Laxmi"),
        ("Gurung", "Thapa", "Rai", "Limbu", "Tamang", "Magar"),
        (("Nepali", 2), ("English", 1)), (("Hindu", 60), ("Buddhist", 40)),
        interpreter_share=0.35,
    ),
    Heritage(
        "afghan", "AOTH", 3,
        ("Ahmad", "Farid", "Mohammad", "Wahid", "Jawad", "Karim"),
        ("Zahra", "Malalai", "Fereshta", "Mariam", "Parwana", "Nadia"),
        ("Ahmadi", "Popal", "Hashimi", "Rahimi", "Sultani", "Noori"),
        (("Dari", 2), ("Pashto", 2), ("English", 1)), (("Muslim", 1),),
        interpreter_share=0.6,
    ),
    Heritage(
        "nigerian", "BAFR", 14,
        ("Chinedu", "Oluwaseun", "Emeka", "Tunde", "Chukwuemeka", "Femi", "Samuel", "David"),
        ("Chioma", "Adaeze", "Funmilayo", "Folake", "Ngozi", "Blessing", "Precious", "Esther"),
        ("Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Adebayo", "Nwosu", "Ogunleye"),
        (("English", 5), ("Yoruba", 2), ("Igbo", 2)), (("Christian", 85), ("Muslim", 15)),
        interpreter_share=0.05,
    ),
    Heritage(
        "ghanaian", "BAFR", 6,
        ("Kwame", "Kofi", "Kwabena", "Yaw", "Emmanuel", "Daniel"),
        ("Ama", "Abena", "Akosua", "Efua", "Adwoa", "Gifty"),
        ("Mensah", "Boateng", "Asante", "Osei", "Owusu", "Appiah"),
        (("English", 3), ("Twi", 2)), (("Christian", 1),),
        interpreter_share=0.05,
    ),
    Heritage(
        "somali", "BAFR", 9,
        ("Abdi", "Mohamed", "Abdirahman", "Hassan", "Yusuf", "Omar"),
        ("Hodan", "Fadumo", "Amina", "Sahra", "Ifrah", "Hibo"),
        ("Abdi", "Warsame", "Mohamud", "Farah", "Hassan", "Osman"),
        (("Somali", 3), ("English", 2)), (("Muslim", 1),),
        interpreter_share=0.4,
    ),
    Heritage(
        "zimbabwean", "BAFR", 6,
        ("Tendai", "Tatenda", "Farai", "Blessing", "Tafadzwa", "Simba"),
        ("Nyasha", "Rutendo", "Chipo", "Tsitsi", "Rumbidzai", "Vimbai"),
        ("Moyo", "Ncube", "Chikwanha", "Mutasa", "Dube", "Sibanda"),
        (("English", 3), ("Shona", 2)), (("Christian", 1),),
        interpreter_share=0.05,
    ),
    Heritage(
        "caribbean", "BCRB", 18,
        ("Marcus", "Andre", "Jermaine", "Leon", "Tyrone", "Delroy", "Winston", "Dwayne", "Kemar"),
        ("Shanice", "Tanisha", "Keisha", "Marcia", "Beverley", "Janelle", "Simone", "Chantelle"),
        ("Campbell", "Brown", "Williams", "Thompson", "Clarke", "Grant", "Francis", "Reid",
         "Bailey", "Henry", "Gordon", "Morgan"),
        (("English", 1),), (("Christian", 75), ("No religion", 25)),
    ),
    Heritage(
        "arab", "OOTH", 10,
        ("Omar", "Youssef", "Khalid", "Ahmed", "Karim", "Tariq", "Sami"),
        ("Layla", "Nour", "Rania", "Mariam", "Huda", "Yasmin", "Dalia"),
        ("Al-Hassan", "Haddad", "Mansour", "Saleh", "Nasser", "El-Amin", "Abboud"),
        (("Arabic", 3), ("English", 1)), (("Muslim", 90), ("Christian", 10)),
        interpreter_share=0.45,
    ),
)  # fmt: skip
HERITAGE_BY_KEY = {heritage.key: heritage for heritage in HERITAGES}

# Children of a White British parent and a parent of another heritage.
MIXED_ETHNICITY = {"BCRB": "MWBC", "BAFR": "MWBA", "AIND": "MWAS", "APKN": "MWAS", "ABAN": "MWAS"}


@dataclass(frozen=True)
class Locality:
    name: str
    district: str  # postcode outward district; "DB" is not a real postcode area
    children_team: str
    adults_team: str
    gp_code: str
    gp_name: str
    primary_school: str
    secondary_school: str


TOWN = "Demoborough"
LOCALITIES = (
    Locality("Northgate", "DB1", "assessment-north", "locality-west", "Y99001",
             "Northgate Medical Practice", "Northgate Primary School", "Demoborough Academy"),
    Locality("Hillcrest", "DB2", "assessment-north", "locality-east", "Y99002",
             "Hillcrest Surgery", "Hillcrest Infant and Junior School", "Demoborough Academy"),
    Locality("Millbrook", "DB3", "assessment-north", "locality-east", "Y99003",
             "Millbrook Medical Centre", "St Mary's CE Primary School", "Millbrook High School"),
    Locality("Ashby Green", "DB4", "assessment-north", "locality-west", "Y99004",
             "Ashby Green Surgery", "Ashby Green Primary School", "Millbrook High School"),
    Locality("Southfields", "DB5", "assessment-south", "locality-west", "Y99005",
             "Southfields Group Practice", "Southfields Primary School",
             "Kingsmead Community College"),
    Locality("Riverside", "DB6", "assessment-south", "locality-east", "Y99006",
             "Riverside Health Centre", "Riverside Primary School", "Riverside High School"),
    Locality("Kingsmead", "DB7", "assessment-south", "locality-east", "Y99007",
             "Kingsmead Family Practice", "Kingsmead Primary School",
             "Kingsmead Community College"),
    Locality("Oakwood", "DB8", "assessment-south", "locality-west", "Y99008",
             "Oakwood Surgery", "Oakwood Primary Academy", "Riverside High School"),
)  # fmt: skip

STREET_STEMS = (
    "Ashgrove", "Beech", "Chestnut", "Church", "Station", "Victoria", "Albert", "Mill", "Park",
    "Queens", "Kings", "Willow", "Hawthorn", "Elm", "Oak", "Rowan", "Foxglove", "Meadow",
    "Orchard", "Priory", "Abbey", "Bridge", "Canal", "Wharf", "Forge", "Tannery", "Cromwell",
    "Nelson", "Wellington", "Gladstone", "Balmoral", "Windsor", "Stanley", "Clarence",
    "Lancaster", "York", "Chapel", "School", "Castle", "Grange", "Manor", "Brook", "Heath",
    "Fern", "Lime", "Sycamore", "Holly", "Laurel", "Juniper", "Primrose", "Bluebell", "Heron",
    "Kingfisher", "Swallow", "Lark", "Falcon", "Marlowe", "Tennyson", "Brunel", "Faraday",
)  # fmt: skip
STREET_SUFFIXES = (
    "Road", "Street", "Close", "Avenue", "Way", "Crescent", "Lane", "Drive", "Court",
    "Gardens", "Grove", "Terrace", "Walk", "Place", "Rise", "Mews",
)  # fmt: skip
BLOCK_NAMES = ("Tower", "House", "Court", "Heights", "Lodge")
# Inward-code letters Royal Mail uses (no C, I, K, M, O or V).
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

CHILD_DISABILITIES = (("AUT", 35), ("LD", 25), ("COMM", 20), ("MOB", 10), ("BEH", 10), ("HEAR", 5))
ADULT_DISABILITIES = (("MOB", 40), ("PC", 25), ("VIS", 8), ("HEAR", 10), ("INC", 8), ("DDA", 10))

REFERRERS = (
    "school",
    "the police",
    "the health visitor",
    "the GP",
    "a neighbour",
    "the child's mother",
    "the emergency department",
    "the housing officer",
)
CP_CATEGORIES = ("neglect", "emotional abuse", "physical abuse", "sexual abuse")

Template = tuple[str, str, float]  # subject, body, chance the note is a significant event

# Case notes. Placeholders: name, parent, other_parent, school, gp, carer, place, day, team.
CHILDREN_NOTES: dict[str, tuple[Template, ...]] = {
    "home-visit": (
        (
            "Home visit to {name}",
            "Announced home visit. {parent} was at home with {name}. The home was warm and tidy, "
            "with food in the fridge and cupboards. {name} showed me their bedroom, which was clean "
            "and had toys and books suitable for their age. {parent} said things have been calmer "
            "since the last visit and that {name} is sleeping better. Next visit agreed for two "
            "weeks' time.",
            0.03,
        ),
        (
            "Unannounced home visit",
            "Visited unannounced at about 4pm. {parent} took some time to answer the door. The "
            "front room was cluttered, with dirty dishes and an overflowing bin in the kitchen. "
            "{name} was still in school uniform and said they had not had any tea yet. Discussed "
            "the home conditions with {parent}, who became upset but agreed to a referral to the "
            "family hub for help with routines.",
            0.25,
        ),
        (
            "Home visit: supervision of the children",
            "{name} answered the door alone; {parent} arrived ten minutes later saying they had "
            "gone to the shop. Talked with {parent} about the risks of leaving {name} without an "
            "adult. {parent} accepted this and agreed that {other_parent} will not be asked to "
            "babysit. To discuss in supervision.",
            0.35,
        ),
        (
            "Joint home visit with the health visitor",
            "Joint visit with the health visitor. {name}'s weight has improved and is now on the "
            "25th centile. {parent} is following the feeding plan. No concerns seen in the home.",
            0.02,
        ),
    ),
    "statutory-visit": (
        (
            "Statutory visit: {name} seen alone",
            "{name} was seen alone in their bedroom for twenty minutes. We used the three houses "
            "tool: {name} put their mum, their brother and their games console in the house of good "
            "things and 'when people shout' in the house of worries. {name} wants to stay living at "
            "home and to see {other_parent} more often.",
            0.05,
        ),
        (
            "Statutory visit within timescale",
            "{name} was seen and spoken with. They appeared happy and relaxed and talked about "
            "their friends at {school}. No marks or injuries seen. {parent} reports no new "
            "concerns. Plan reviewed; actions are on track.",
            0.0,
        ),
    ),
    "telephone-call": (
        (
            "Call from {school}",
            "The designated safeguarding lead at {school} rang to say {name} arrived hungry and "
            "without a coat for the third day this week. Attendance this term is 84%. The school "
            "will offer breakfast club and I will raise this with {parent} on my next visit.",
            0.2,
        ),
        (
            "Call with {parent}",
            "Rang {parent} to arrange the next visit. {parent} said {name} has been unsettled since "
            "seeing {other_parent} at the weekend. Gave advice on routines and agreed to visit on "
            "{day}.",
            0.0,
        ),
        (
            "Call from {gp}",
            "{gp} rang: {name} has missed two appointments for their asthma review. The practice "
            "will send another letter and I will remind {parent} on my next visit.",
            0.02,
        ),
    ),
    "office-visit": (
        (
            "{parent} came into the office",
            "{parent} came into the office without an appointment, upset about a letter from the "
            "housing association about rent arrears. Helped {parent} ring the housing officer; a "
            "repayment plan has been agreed. Gave details of the food bank in {place}.",
            0.05,
        ),
    ),
    "email-letter": (
        (
            "Letter to {parent} confirming the plan",
            "Letter sent to {parent} confirming the actions agreed at the meeting and the date of "
            "the next review. A copy is on file.",
            0.0,
        ),
        (
            "Attendance figures from {school}",
            "{school} sent the attendance figures for this half term: 91%, with four late marks. "
            "This is better than last term.",
            0.0,
        ),
    ),
    "meeting": (
        (
            "Child in need review",
            "Child in need review. {parent} attended with {name}. The family say the support has "
            "helped, particularly the family hub's parenting course. Agreed to continue the plan for "
            "a further three months.",
            0.3,
        ),
        (
            "Team around the family meeting",
            "Meeting at {school} with the school nurse, the family hub and the housing officer. "
            "Information shared about rent arrears and {parent}'s low mood. {parent} agreed to ask "
            "the GP for a referral to talking therapies.",
            0.1,
        ),
    ),
    "multi-agency": (
        (
            "Multi-agency meeting",
            "Information shared with the school nurse and the family hub. No new concerns. Agreed "
            "the family hub will continue weekly sessions with {parent}.",
            0.05,
        ),
    ),
    "management-oversight": (
        (
            "Management oversight",
            "I have reviewed the file. The assessment is thorough and {name}'s voice is clear. The "
            "plan is proportionate. Actions: bring the chronology up to date by the end of the "
            "month; hold a strategy discussion if school raise further concerns.",
            0.0,
        ),
        (
            "Management oversight: step down",
            "Discussed in supervision. Risks have reduced and {parent} is working well with the "
            "family hub. Decision: close to children's social care and step down to early help at "
            "the next review.",
            0.4,
        ),
    ),
    "supervision": (
        (
            "Case supervision",
            "Discussed progress on the plan and {name}'s daily lived experience. Reflected on the "
            "effect of {other_parent}'s inconsistent contact. Actions: update the genogram; see "
            "{name} at {school} to gather their views.",
            0.0,
        ),
    ),
    "direct-work": (
        (
            "Direct work: my worries",
            "Direct work with {name} at {school}. Using drawings, {name} talked about feeling "
            "worried when the adults argue and about missing {other_parent}. {name} said they feel "
            "safe with {parent}. With {name}'s agreement I shared their views with {parent}.",
            0.1,
        ),
        (
            "Direct work: life story",
            "Life story session. {name} chose photographs for their book and talked about moving "
            "to {place}. {name} was engaged throughout and asked to do more next time.",
            0.0,
        ),
    ),
    "case-note": (
        (
            "Case recording",
            "Reviewed the file, updated the chronology and the genogram, and checked that every "
            "agency has the current plan.",
            0.0,
        ),
    ),
}

# Notes only written while a child is subject to a child protection plan or enquiry.
CHILD_PROTECTION_NOTES: dict[str, tuple[Template, ...]] = {
    "multi-agency": (
        (
            "Strategy discussion",
            "Strategy discussion with the police, health and {school} after {name} told a teacher "
            "they had been hit with a belt. Threshold for a section 47 enquiry is met. Joint visit "
            "with the police today; {name} to have a child protection medical.",
            1.0,
        ),
        (
            "Call from the police: domestic incident",
            "The police reported a domestic incident at the family home last night. "
            "{other_parent} was arrested and has been bailed with a condition not to go to the "
            "address. {name} was in the house, asleep upstairs. The police risk assessment is high "
            "risk; referral made to MARAC.",
            0.9,
        ),
    ),
    "meeting": (
        (
            "Core group meeting",
            "Core group meeting at {school} with {parent}, the school, the health visitor and the "
            "family support worker. Home conditions have improved; attendance is still a concern. "
            "Actions updated and sent to everyone.",
            0.2,
        ),
        (
            "Review child protection conference",
            "Review conference chaired by the independent reviewing officer. {parent} attended "
            "with an advocate. Agreed that {name} remains at risk of significant harm; the plan "
            "continues under the same category. Next review in six months.",
            1.0,
        ),
    ),
}

LOOKED_AFTER_NOTES: dict[str, tuple[Template, ...]] = {
    "statutory-visit": (
        (
            "Statutory visit to {name} in placement",
            "Visited {name} at the foster home in {place}. {name} was seen alone in their bedroom. "
            "{name} says they like living with {parent} and the food is good, but they miss their "
            "brother. Contact with birth family is going well. No concerns about the placement.",
            0.0,
        ),
    ),
    "meeting": (
        (
            "Looked after review",
            "Review chaired by the independent reviewing officer. {name} took part for the first "
            "half. The care plan remains long-term foster care with {parent}. Health assessment and "
            "personal education plan are up to date.",
            0.8,
        ),
        (
            "Placement planning meeting",
            "Placement planning meeting with {parent} (foster carer), {name} and the supervising "
            "social worker. Agreed school transport, pocket money and contact arrangements.",
            0.6,
        ),
    ),
}

ADULTS_NOTES: dict[str, tuple[Template, ...]] = {
    "home-visit": (
        (
            "Care Act assessment visit",
            "Visited {name} at home with {carer} present, at {name}'s request. {name} described "
            "difficulty getting in and out of the bath and managing the stairs since the fall in "
            "the spring. {name} wants to stay at home. Eligible needs identified in managing "
            "personal care and moving about the home safely. I will draft a care and support plan.",
            0.5,
        ),
        (
            "Review of the care and support plan",
            "Annual review at home. {name} is happy with the home care agency and the four calls a "
            "day. {carer} says {name} is eating well. No change to the plan; next review in twelve "
            "months.",
            0.05,
        ),
        (
            "Home visit: concerns about self-neglect",
            "Visited after a neighbour raised concerns. The house is cold and very cluttered, with "
            "out-of-date food in the fridge. {name} has capacity to decide about their living "
            "conditions but accepted help with shopping and agreed I should contact {gp}.",
            0.5,
        ),
    ),
    "telephone-call": (
        (
            "Call from {carer}",
            "{carer} rang to say {name} has fallen twice this week and is not managing the stairs. "
            "Arranged an urgent occupational therapy visit and advised {carer} to ring 111 if "
            "{name} falls again.",
            0.25,
        ),
        (
            "Call with the home care agency",
            "The agency's coordinator rang: carers could not get an answer at the teatime call "
            "twice this week. {name} was found safe both times. The agency will use the key safe "
            "from now on.",
            0.05,
        ),
    ),
    "meeting": (
        (
            "Carer's assessment",
            "Met {carer} to complete a carer's assessment. {carer} is finding the caring role hard "
            "alongside work and is not sleeping well. Agreed a carer's break of two weeks a year and "
            "details of the carers' centre in {place}.",
            0.2,
        ),
    ),
    "multi-agency": (
        (
            "Multi-disciplinary team meeting",
            "Discussed at the neighbourhood team meeting with the district nurse and {gp}. Agreed a "
            "falls clinic referral and a medication review.",
            0.05,
        ),
    ),
    "management-oversight": (
        (
            "Management oversight",
            "Assessment reviewed. I agree the eligibility decision. Funding authorised for the care "
            "and support plan.",
            0.15,
        ),
    ),
    "supervision": (
        (
            "Case supervision",
            "Discussed {name}'s wish to remain at home and the strain on {carer}. Action: offer "
            "{carer} a carer's assessment and a referral to the carers' centre.",
            0.0,
        ),
    ),
    "email-letter": (
        (
            "Care and support plan sent to {name}",
            "Sent {name} a copy of the care and support plan and the financial assessment form, in "
            "large print as asked.",
            0.0,
        ),
        (
            "Letter to {carer}",
            "Wrote to {carer} offering a carer's assessment and enclosing the carers' centre "
            "leaflet.",
            0.0,
        ),
    ),
    "office-visit": (
        (
            "{carer} came into the office",
            "{carer} called in to drop off the completed financial assessment form for {name}. "
            "Forwarded to the financial assessment team.",
            0.0,
        ),
    ),
    "case-note": (
        (
            "Case recording",
            "Updated the record after the review: contact details, GP and key safe information "
            "checked.",
            0.0,
        ),
    ),
}

HOSPITAL_NOTES: dict[str, tuple[Template, ...]] = {
    "telephone-call": (
        (
            "Call from the ward",
            "The ward's discharge coordinator rang: {name} is medically fit for discharge. "
            "Discussed reablement at home for up to six weeks; {name} agrees.",
            0.4,
        ),
    ),
    "meeting": (
        (
            "Hospital discharge planning meeting",
            "Discharge planning meeting on the ward with {name}, {carer}, the ward nurse and the "
            "physiotherapist. Agreed discharge home on {day} with reablement four times a day; "
            "equipment to be delivered first.",
            0.7,
        ),
    ),
}

SAFEGUARDING_ADULTS_NOTES: dict[str, tuple[Template, ...]] = {
    "multi-agency": (
        (
            "Section 42 enquiry planning meeting",
            "Planning meeting with the police and the care provider about possible financial "
            "abuse. {name} wants the money returned and does not want anyone to get into trouble. "
            "The bank will be contacted and a protection plan drawn up.",
            1.0,
        ),
    ),
    "meeting": (
        (
            "Best interests meeting",
            "Best interests meeting about where {name} should live. {name} lacks capacity to decide "
            "on accommodation (assessment on file). The views of {name}, {carer} and {gp} were "
            "considered. Decision: a trial of extra care housing with support.",
            0.9,
        ),
    ),
}

CHILDREN_NOTE_WEIGHTS = (
    ("home-visit", 20),
    ("statutory-visit", 14),
    ("telephone-call", 18),
    ("email-letter", 7),
    ("meeting", 8),
    ("multi-agency", 5),
    ("management-oversight", 6),
    ("supervision", 6),
    ("direct-work", 8),
    ("office-visit", 2),
    ("case-note", 3),
)
ADULTS_NOTE_WEIGHTS = (
    ("home-visit", 25),
    ("telephone-call", 25),
    ("meeting", 8),
    ("multi-agency", 5),
    ("management-oversight", 8),
    ("supervision", 5),
    ("email-letter", 10),
    ("office-visit", 3),
    ("case-note", 4),
)
