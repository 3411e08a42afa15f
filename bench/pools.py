"""Weighted pools of names, places and words that the scale-data generator draws from.

Names come from Faker's locale lists (en_GB, en_NZ and en_IE for the White British and
Irish majority; Polish, Romanian, Lithuanian, Portuguese, Italian, Hungarian, Slovak,
Indian, Pakistani, Turkish, Nigerian, Kenyan and romanised Chinese lists for the
minorities an English council works with), topped up with short hand-written lists where
Faker has only non-Latin script (Bangladeshi, Somali, Arabic). Ethnicity shares follow
England's 2021 census, rounded.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass

from faker import Faker
from faker.providers.person import (
    cs_CZ,
    en_GB,
    en_IE,
    en_IN,
    en_KE,
    en_NG,
    en_NZ,
    en_PK,
    hu_HU,
    it_IT,
    lt_LT,
    pl_PL,
    pt_PT,
    ro_RO,
    sk_SK,
    tr_TR,
    yo_NG,
    zh_CN,
)

from clients.validators import normalise_postcode


class Weighted:
    """A list of values with weights, sampled in O(log n)."""

    def __init__(self, pairs: list[tuple[str, float]]) -> None:
        merged: dict[str, float] = {}
        for value, weight in pairs:
            if value and weight > 0:
                merged[value] = merged.get(value, 0.0) + weight
        self.values = list(merged)
        self.cumulative = list(itertools.accumulate(merged.values()))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> str:
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]

    def __len__(self) -> int:
        return len(self.values)


def _uniform(names: object, weight: float = 1.0) -> list[tuple[str, float]]:
    return [(str(name), weight) for name in names]  # type: ignore[attr-defined]


def _scaled(weights: dict[str, float], total: float) -> list[tuple[str, float]]:
    """Rescale a frequency table so that it sums to `total`."""
    whole = sum(weights.values())
    return [(name, total * weight / whole) for name, weight in weights.items()]


def _zipf(names: list[str], total: float) -> list[tuple[str, float]]:
    """Give an unweighted list a realistic long tail: the k-th name has weight 1/(k+c)."""
    offset = max(5, len(names) // 10)
    weights = {name: 1.0 / (rank + offset) for rank, name in enumerate(names)}
    return _scaled(weights, total)


def _shuffled(names: object, seed: int) -> list[str]:
    values = sorted({str(name) for name in names})  # type: ignore[attr-defined]
    random.Random(seed).shuffle(values)
    return values


def _polish_female(surname: str) -> str:
    for male, female in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if surname.endswith(male):
            return surname[: -len(male)] + female
    return surname


@dataclass
class Origin:
    """Where a family's names come from, and what usually goes with them."""

    key: str
    male: Weighted
    female: Weighted
    surnames: Weighted
    female_surnames: Weighted | None  # languages whose surnames change with sex
    languages: list[tuple[str, float]]
    religions: list[tuple[str, float]]


# --- British and Irish names -----------------------------------------------------------

_BRITISH_MALE = Weighted(
    _scaled(dict(en_NZ.Provider.first_names_male), 60)
    + _uniform(en_GB.Provider.first_names_male, 40 / len(en_GB.Provider.first_names_male))
    + _zipf(_shuffled(en_IE.Provider.first_names_male, 1), 8)
)
_BRITISH_FEMALE = Weighted(
    _scaled(dict(en_NZ.Provider.first_names_female), 60)
    + _uniform(en_GB.Provider.first_names_female, 40 / len(en_GB.Provider.first_names_female))
    + _zipf(_shuffled(en_IE.Provider.first_names_female, 2), 8)
)
_BRITISH_SURNAMES = Weighted(
    _scaled(dict(en_GB.Provider.last_names), 45)
    + _scaled(dict(en_NZ.Provider.last_names), 35)
    + _zipf(_shuffled(en_IE.Provider.last_names, 3), 20)
)
_IRISH_SURNAMES = Weighted(
    _zipf(_shuffled(en_IE.Provider.last_names, 4), 70)
    + [
        (name, 2.0)
        for name in (
            "O'Brien",
            "O'Connor",
            "O'Neill",
            "O'Sullivan",
            "O'Reilly",
            "McCarthy",
            "Murphy",
            "Kelly",
            "Walsh",
            "Byrne",
            "Ryan",
            "Doherty",
            "McLaughlin",
            "Gallagher",
            "Fitzgerald",
        )
    ]
)


def _words(text: str) -> list[str]:
    return text.split()


# --- Hand-written lists where Faker only has non-Latin script -----------------------------

_BANGLADESHI_MALE = _words(
    "Mohammed Abdul Shahid Rahim Jamal Kamal Habib Rashid Shafiq Anwar Arif Sohel Rubel "
    "Faruk Mizanur Mahbub Shamim Nazrul Jahangir Salim Rafiq Foysal Tanvir Rayhan Imran "
    "Shahin Aminul Nurul Abul Sayed Ibrahim Yusuf Ayaan Zakaria Rakib Sabbir"
)
_BANGLADESHI_FEMALE = _words(
    "Fatema Nasima Rokeya Shirin Taslima Ayesha Rumana Shamima Nazma Jahanara Salma "
    "Sumaiya Nusrat Farzana Shahana Rehana Sharmin Tahmina Sadia Mithila Anika Tasnim "
    "Jannat Marium Khadija Habiba Rabeya Shapla Ruksana Lipi"
)
_BANGLADESHI_SURNAMES = [
    ("Begum", 4.0),
    ("Khatun", 2.0),
    ("Miah", 6.0),
    ("Uddin", 6.0),
    ("Rahman", 8.0),
    ("Islam", 6.0),
    ("Hossain", 5.0),
    ("Ahmed", 7.0),
    ("Chowdhury", 4.0),
    ("Ali", 5.0),
    ("Hoque", 3.0),
    ("Sarkar", 2.0),
    ("Akter", 3.0),
    ("Alam", 3.0),
    ("Karim", 2.0),
    ("Haque", 2.0),
    ("Khan", 3.0),
    ("Bibi", 1.0),
    ("Talukdar", 1.0),
    ("Mia", 1.0),
]
_SOMALI_MALE = _words(
    "Mohamed Abdi Ahmed Hassan Ali Abdullahi Yusuf Ibrahim Omar Abdirahman Mahad Liban "
    "Guled Bashir Hamza Khalid Faisal Abdikarim Said Jama"
)
_SOMALI_FEMALE = _words(
    "Hodan Amina Fadumo Sahra Ayaan Hibo Ifrah Ubah Hawa Khadra Sagal Nimco Ladan Asha "
    "Fartun Muna Maryan Hamdi Idil Sumaya"
)
_SOMALI_SURNAMES = _words(
    "Mohamed Ahmed Hassan Ali Abdi Farah Warsame Osman Abdullahi Hussein Omar Yusuf Jama "
    "Ibrahim Aden Nur Egal Duale Hersi Mohamud Adan Elmi Gedi Ismail"
)
_ARABIC_MALE = _words(
    "Ahmad Omar Yusuf Khalid Mustafa Ibrahim Hassan Karim Samir Tariq Walid Nabil Rami "
    "Bilal Adam Zaid Faris Hamza Sami Majid"
)
_ARABIC_FEMALE = _words(
    "Layla Noor Mariam Yasmin Huda Rania Salma Dina Lina Hana Amal Nadia Rasha Samira "
    "Zainab Aya Farah Reem Dalia Jana"
)
_ARABIC_SURNAMES = _words(
    "Haddad Saleh Mansour Nasser Khalil Abdallah Hamdan Darwish Aziz Hussein Ibrahim "
    "Al-Ahmad Al-Hassan Qasim Yousef Suleiman Farouk Jaber Rahman Shami El-Sayed"
)
_PAKISTANI_FEMALE = _words(
    "Ayesha Fatima Zainab Maryam Sana Hina Saima Nadia Rabia Amna Iqra Bushra Shabana "
    "Nasreen Parveen Samina Rukhsana Kausar Shazia Asma Aliya Hafsa Khadija Mehwish Noor "
    "Sadia Sobia Uzma Anam Zara Aleena Hania Inaya Eman Safa Nazia Razia Tahira"
)
_PAKISTANI_SURNAMES = [
    ("Khan", 10.0),
    ("Hussain", 8.0),
    ("Ahmed", 7.0),
    ("Ali", 7.0),
    ("Shah", 4.0),
    ("Iqbal", 4.0),
    ("Butt", 3.0),
    ("Malik", 4.0),
    ("Akhtar", 4.0),
    ("Mahmood", 4.0),
    ("Rashid", 2.0),
    ("Bibi", 2.0),
    ("Begum", 2.0),
    ("Aslam", 2.0),
    ("Javed", 2.0),
    ("Saleem", 2.0),
    ("Riaz", 2.0),
    ("Anwar", 2.0),
    ("Nawaz", 2.0),
    ("Raza", 2.0),
    ("Qureshi", 2.0),
    ("Siddiqui", 1.0),
    ("Chaudhry", 2.0),
    ("Mirza", 1.0),
]


def _weighted_list(names: object, total: float = 100.0) -> Weighted:
    return Weighted(_zipf(_shuffled(names, len(str(names))), total))


def _origins() -> dict[str, Origin]:
    english = [("English", 1.0)]
    british_faiths = [("Christian", 45.0), ("No religion", 45.0), ("Not stated", 10.0)]
    muslim = [("Muslim", 95.0), ("Not stated", 5.0)]
    polish_male = list(pl_PL.Provider.male_last_names)
    polish_surnames = _zipf(_shuffled(polish_male, 5), 100)
    origins = [
        Origin(
            "british",
            _BRITISH_MALE,
            _BRITISH_FEMALE,
            _BRITISH_SURNAMES,
            None,
            english,
            british_faiths,
        ),
        Origin(
            "irish",
            Weighted(_zipf(_shuffled(en_IE.Provider.first_names_male, 6), 100)),
            Weighted(_zipf(_shuffled(en_IE.Provider.first_names_female, 7), 100)),
            _IRISH_SURNAMES,
            None,
            english,
            [("Christian", 80.0), ("No religion", 20.0)],
        ),
        Origin(
            "polish",
            _weighted_list(pl_PL.Provider.first_names_male),
            _weighted_list(pl_PL.Provider.first_names_female),
            Weighted(polish_surnames),
            Weighted([(_polish_female(name), weight) for name, weight in polish_surnames]),
            [("Polish", 80.0), ("English", 20.0)],
            [("Christian", 85.0), ("No religion", 15.0)],
        ),
        Origin(
            "romanian",
            _weighted_list(ro_RO.Provider.first_names_male),
            _weighted_list(ro_RO.Provider.first_names_female),
            _weighted_list(ro_RO.Provider.last_names),
            None,
            [("Romanian", 85.0), ("English", 15.0)],
            [("Christian", 90.0), ("No religion", 10.0)],
        ),
        Origin(
            "lithuanian",
            _weighted_list([name for name in lt_LT.Provider.first_names if name.endswith("s")]),
            _weighted_list([n for n in lt_LT.Provider.first_names if not n.endswith("s")]),
            _weighted_list(lt_LT.Provider.last_names),
            None,
            [("Lithuanian", 80.0), ("English", 20.0)],
            [("Christian", 80.0), ("No religion", 20.0)],
        ),
        Origin(
            "portuguese",
            _weighted_list(pt_PT.Provider.first_names_male),
            _weighted_list(pt_PT.Provider.first_names_female),
            _weighted_list(pt_PT.Provider.last_names),
            None,
            [("Portuguese", 80.0), ("English", 20.0)],
            [("Christian", 85.0), ("No religion", 15.0)],
        ),
        Origin(
            "italian",
            _weighted_list(it_IT.Provider.first_names_male),
            _weighted_list(it_IT.Provider.first_names_female),
            _weighted_list(it_IT.Provider.last_names),
            None,
            [("Italian", 70.0), ("English", 30.0)],
            [("Christian", 85.0), ("No religion", 15.0)],
        ),
        Origin(
            "hungarian",
            Weighted(list(hu_HU.Provider.first_names_male.items())),
            Weighted(list(hu_HU.Provider.first_names_female.items())),
            Weighted(list(hu_HU.Provider.last_names.items())),
            None,
            [("Hungarian", 80.0), ("English", 20.0)],
            [("Christian", 75.0), ("No religion", 25.0)],
        ),
        Origin(
            "slovak",
            _weighted_list(sk_SK.Provider.first_names_male),
            _weighted_list(sk_SK.Provider.first_names_female),
            _weighted_list(list(sk_SK.Provider.last_names) + list(cs_CZ.Provider.last_names)),
            None,
            [("Slovak", 60.0), ("Czech", 20.0), ("Romani", 20.0)],
            [("Christian", 80.0), ("No religion", 20.0)],
        ),
        Origin(
            "indian",
            _weighted_list(en_IN.Provider.first_names_male),
            _weighted_list(en_IN.Provider.first_names_female),
            _weighted_list(en_IN.Provider.last_names),
            None,
            [("English", 50.0), ("Punjabi", 20.0), ("Gujarati", 20.0), ("Tamil", 10.0)],
            [("Hindu", 45.0), ("Sikh", 25.0), ("Muslim", 15.0), ("Christian", 10.0)],
        ),
        Origin(
            "pakistani",
            _weighted_list(en_PK.Provider.first_names),
            _weighted_list(_PAKISTANI_FEMALE),
            Weighted(_PAKISTANI_SURNAMES + _zipf(_shuffled(en_PK.Provider.last_names, 8), 20)),
            None,
            [("English", 50.0), ("Urdu", 30.0), ("Punjabi", 20.0)],
            muslim,
        ),
        Origin(
            "bangladeshi",
            _weighted_list(_BANGLADESHI_MALE),
            _weighted_list(_BANGLADESHI_FEMALE),
            Weighted(_BANGLADESHI_SURNAMES),
            None,
            [("English", 45.0), ("Bengali (Sylheti)", 55.0)],
            muslim,
        ),
        Origin(
            "turkish",
            _weighted_list(tr_TR.Provider.first_names_male),
            _weighted_list(tr_TR.Provider.first_names_female),
            _weighted_list(tr_TR.Provider.last_names),
            None,
            [("Turkish", 60.0), ("Kurdish", 20.0), ("English", 20.0)],
            muslim,
        ),
        Origin(
            "nigerian",
            Weighted(
                _zipf(_shuffled(yo_NG.Provider.first_names_male, 9), 60)
                + _uniform(en_NG.Provider.first_names_male, 2.0)
            ),
            Weighted(
                _zipf(_shuffled(yo_NG.Provider.first_names_female, 10), 60)
                + _uniform(en_NG.Provider.first_names_female, 2.0)
            ),
            Weighted(
                _zipf(_shuffled(yo_NG.Provider.last_names, 11), 80)
                + _uniform(en_NG.Provider.last_names, 1.0)
            ),
            None,
            [("English", 70.0), ("Yoruba", 20.0), ("Igbo", 10.0)],
            [("Christian", 80.0), ("Muslim", 15.0), ("No religion", 5.0)],
        ),
        Origin(
            "kenyan",
            Weighted(list(en_KE.Provider.first_names_male.items())),
            Weighted(list(en_KE.Provider.first_names_female.items())),
            Weighted(list(en_KE.Provider.last_names.items())),
            None,
            [("English", 70.0), ("Swahili", 30.0)],
            [("Christian", 85.0), ("Muslim", 10.0), ("No religion", 5.0)],
        ),
        Origin(
            "somali",
            _weighted_list(_SOMALI_MALE),
            _weighted_list(_SOMALI_FEMALE),
            _weighted_list(_SOMALI_SURNAMES),
            None,
            [("Somali", 75.0), ("English", 25.0)],
            muslim,
        ),
        Origin(
            "chinese",
            _weighted_list(zh_CN.Provider.first_romanized_names),
            _weighted_list(zh_CN.Provider.first_romanized_names),
            _weighted_list(zh_CN.Provider.last_romanized_names),
            None,
            [("Cantonese", 40.0), ("Mandarin", 30.0), ("English", 30.0)],
            [("No religion", 60.0), ("Buddhist", 20.0), ("Christian", 20.0)],
        ),
        Origin(
            "arabic",
            _weighted_list(_ARABIC_MALE),
            _weighted_list(_ARABIC_FEMALE),
            _weighted_list(_ARABIC_SURNAMES),
            None,
            [("Arabic", 80.0), ("English", 20.0)],
            muslim,
        ),
    ]
    return {origin.key: origin for origin in origins}


ORIGINS = _origins()

# (ethnicity code, share of the population, [(name origin, share)])
ETHNICITIES: list[tuple[str, float, list[tuple[str, float]]]] = [
    ("WBRI", 70.0, [("british", 1.0)]),
    ("WIRI", 1.0, [("irish", 1.0)]),
    (
        "WOTH",
        6.5,
        [
            ("polish", 0.35),
            ("romanian", 0.25),
            ("lithuanian", 0.1),
            ("portuguese", 0.1),
            ("italian", 0.1),
            ("hungarian", 0.05),
            ("slovak", 0.05),
        ],
    ),
    ("WIRT", 0.2, [("irish", 1.0)]),
    ("WROM", 0.3, [("romanian", 0.5), ("slovak", 0.3), ("hungarian", 0.2)]),
    ("MWBC", 1.2, [("british", 1.0)]),
    ("MWBA", 0.6, [("british", 0.6), ("nigerian", 0.4)]),
    ("MWAS", 1.0, [("british", 0.7), ("indian", 0.2), ("pakistani", 0.1)]),
    ("MOTH", 0.8, [("british", 0.8), ("arabic", 0.1), ("turkish", 0.1)]),
    ("AIND", 3.0, [("indian", 1.0)]),
    ("APKN", 2.8, [("pakistani", 1.0)]),
    ("ABAN", 1.1, [("bangladeshi", 1.0)]),
    ("AOTH", 1.0, [("indian", 0.5), ("turkish", 0.2), ("arabic", 0.3)]),
    ("BCRB", 1.0, [("british", 1.0)]),
    ("BAFR", 2.5, [("nigerian", 0.5), ("somali", 0.3), ("kenyan", 0.2)]),
    ("BOTH", 0.5, [("british", 0.6), ("nigerian", 0.4)]),
    ("CHNE", 0.7, [("chinese", 1.0)]),
    ("OOTH", 1.2, [("arabic", 0.6), ("turkish", 0.4)]),
    ("REFU", 0.5, [("british", 1.0)]),
    ("NOBT", 3.0, [("british", 0.9), ("polish", 0.05), ("indian", 0.05)]),
]
ETHNICITY = Weighted([(code, share) for code, share, _ in ETHNICITIES])
ORIGIN_BY_ETHNICITY = {
    code: Weighted([(origin, share) for origin, share in origins])
    for code, _, origins in ETHNICITIES
}

# --- Places -----------------------------------------------------------------------------

# A fictional borough with the districts of a real postcode area, and its neighbours.
LOCAL_AREAS = [("LS", range(1, 30)), ("WF", range(1, 18)), ("BD", range(1, 25))]
OTHER_AREAS = ["M", "B", "S", "L", "NG", "LE", "CV", "SW", "E", "N", "HU", "YO", "HD", "HX"]
TOWNS = [
    "Ashworth",
    "Bramley Green",
    "Castleford Vale",
    "Denholme Bridge",
    "Eastmoor",
    "Farnley Cross",
    "Gildersome Park",
    "Holbeck Rise",
    "Ingleby Moor",
    "Kirkstall Edge",
    "Lofthouse Gate",
    "Morley Hill",
]
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def postcode_pool(rng: random.Random, size: int) -> list[str]:
    """`size` distinct postcodes in Royal Mail format, mostly in the borough's own area."""
    found: set[str] = set()
    while len(found) < size:
        if rng.random() < 0.88:
            area, districts = LOCAL_AREAS[rng.randrange(len(LOCAL_AREAS))]
            outward = f"{area}{rng.choice(districts)}"
        else:
            outward = f"{rng.choice(OTHER_AREAS)}{rng.randint(1, 20)}"
        inward = f"{rng.randint(0, 9)}{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"
        found.add(normalise_postcode(f"{outward} {inward}"))
    pool = sorted(found)
    rng.shuffle(pool)
    return pool


def street_pool(seed: int, size: int) -> list[str]:
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    streets: set[str] = set()
    for _ in range(size * 3):
        streets.add(faker.street_name())
        if len(streets) >= size:
            break
    return sorted(streets)
