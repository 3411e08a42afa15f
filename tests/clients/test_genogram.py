"""The genogram layout: generations, positions, no overlaps; and its accessible SVG."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Callable
from itertools import pairwise

import pytest
from django.template.loader import render_to_string

from clients.genogram import (
    CELL_HEIGHT,
    CELL_WIDTH,
    GAP,
    GenogramLink,
    GenogramPerson,
    Layout,
    Node,
    build_layout,
    genogram_for,
)
from clients.models import Person, Relationship, RelationshipType
from tests.factories import PersonFactory

FOCAL = 1


def _person(
    pid: int, name: str, sex: str = "U", born: int | None = None, **extra: object
) -> GenogramPerson:
    return GenogramPerson(
        id=pid,
        name=name,
        sex=sex,
        born=datetime.date(born, 6, 1) if born else None,
        **extra,  # type: ignore[arg-type]
    )


def _link(a: int, b: int, kind: str, *, ended: bool = False) -> GenogramLink:
    return GenogramLink(person_id=a, other_id=b, kind=kind, is_ended=ended)


def _by_name(layout: Layout) -> dict[str, Node]:
    return {node.person.name: node for node in layout.nodes}


def _assert_no_overlaps(layout: Layout) -> None:
    rows: dict[int, list[Node]] = defaultdict(list)
    for node in layout.nodes:
        rows[node.y].append(node)
        assert node.x >= 0
        assert node.x + CELL_WIDTH <= layout.width
        assert node.y >= 0
        assert node.y + CELL_HEIGHT <= layout.height
    tops = sorted(rows)
    for upper, lower in pairwise(tops):
        assert lower - upper >= CELL_HEIGHT
    for row in rows.values():
        lefts = sorted(node.x for node in row)
        for left, right in pairwise(lefts):
            assert right - left >= CELL_WIDTH + GAP, (left, right)
    for line in layout.lines:
        for x, y in ((line.x1, line.y1), (line.x2, line.y2)):
            assert x >= 0
            assert x <= layout.width
            assert y >= 0
            assert y <= layout.height


FAMILY = {
    1: _person(1, "Jayden", "M", 2015),
    2: _person(2, "Mary", "F", 1985),
    3: _person(3, "John", "M", 1983),
    4: _person(4, "Ella", "F", 2012),
    5: _person(5, "Gran", "F", 1960, died=datetime.date(2020, 1, 1)),
    6: _person(6, "Grandad", "M", 1958),
    7: _person(7, "Steve", "M", 1980),
    8: _person(8, "Lily", "F", 2020),
    9: _person(9, "Sam", "U", 2013),
    10: _person(10, "Baby", "F", 2033),
    11: _person(11, "Grandkid", "M", 2050),
    12: _person(12, "Kid partner", "F", 2031),
    13: _person(13, "Grandpa John", "M", 1950),
}
FAMILY_LINKS = [
    _link(1, 2, "parent"),
    _link(1, 3, "parent"),
    _link(4, 2, "parent"),
    _link(4, 3, "parent"),
    _link(2, 5, "parent"),
    _link(2, 6, "parent"),
    _link(3, 13, "parent"),
    _link(2, 3, "partner", ended=True),
    _link(2, 7, "partner"),
    _link(8, 2, "parent"),
    _link(8, 7, "parent"),
    _link(1, 9, "partner"),
    _link(1, 10, "child"),
    _link(9, 10, "child"),
    _link(10, 11, "child"),
    _link(10, 12, "partner"),
]


def test_a_person_with_no_family_is_drawn_alone() -> None:
    layout = build_layout(FOCAL, {FOCAL: _person(FOCAL, "Jayden", "M", 2015)}, [])

    assert [node.person.name for node in layout.nodes] == ["Jayden"]
    assert layout.lines == []
    assert layout.focal.is_focal
    assert not layout.has_relatives
    assert "No family relationships are recorded." in layout.description


def test_generations_run_from_grandparents_to_grandchildren() -> None:
    layout = build_layout(FOCAL, FAMILY, FAMILY_LINKS)
    nodes = _by_name(layout)

    generation = {name: node.generation for name, node in nodes.items()}
    assert generation == {
        "Gran": -2,
        "Grandad": -2,
        "Grandpa John": -2,
        "Mary": -1,
        "John": -1,
        "Steve": -1,
        "Jayden": 0,
        "Ella": 0,
        "Lily": 0,
        "Sam": 0,
        "Baby": 1,
        "Kid partner": 1,
        "Grandkid": 2,
    }
    # Each generation on its own row, oldest at the top
    assert nodes["Gran"].y < nodes["Mary"].y < nodes["Jayden"].y < nodes["Baby"].y
    assert nodes["Baby"].y < nodes["Grandkid"].y
    assert len({node.y for node in layout.nodes if node.generation == 0}) == 1
    _assert_no_overlaps(layout)


def test_labels_say_what_each_person_is_to_the_focal_person() -> None:
    nodes = _by_name(build_layout(FOCAL, FAMILY, FAMILY_LINKS))

    labels = {name: node.label for name, node in nodes.items()}
    assert labels == {
        "Jayden": "",
        "Mary": "Mother",
        "John": "Father",
        "Steve": "Mother's partner",
        "Gran": "Grandmother",
        "Grandad": "Grandfather",
        "Grandpa John": "Grandfather",
        "Ella": "Sister",
        "Lily": "Sister",
        "Sam": "Partner",
        "Baby": "Daughter",
        "Kid partner": "Daughter's partner",
        "Grandkid": "Grandson",
    }


def test_father_left_mother_right_and_children_under_their_parents() -> None:
    nodes = _by_name(build_layout(FOCAL, FAMILY, FAMILY_LINKS))

    assert nodes["John"].x < nodes["Mary"].x
    # The mother's new partner stands on her side
    assert nodes["Mary"].x < nodes["Steve"].x
    # Parents centred over their children, grandparents over their child
    assert (nodes["John"].cx + nodes["Mary"].cx) // 2 == (
        nodes["Ella"].cx + nodes["Jayden"].cx
    ) // 2
    assert (nodes["Grandad"].cx + nodes["Gran"].cx) // 2 == nodes["Mary"].cx
    # The focal person stands beside their partner, their child below the couple
    assert nodes["Sam"].x - nodes["Jayden"].x == CELL_WIDTH + GAP
    assert nodes["Baby"].cx == (nodes["Jayden"].cx + nodes["Sam"].cx) // 2
    # The half-sister stands on the side of the parent she shares
    assert nodes["Lily"].x > nodes["Jayden"].x


def test_shapes_follow_genogram_conventions() -> None:
    people = {
        1: _person(1, "Focal", "F", 2015),
        2: _person(2, "Dad", "M", 1980),
        3: _person(3, "Unknown", "U", 1981),
        4: _person(4, "Unborn", "U", expected=datetime.date(2030, 1, 1)),
        5: _person(5, "Late", "M", 1950, died=datetime.date(2019, 3, 1)),
    }
    links = [
        _link(1, 2, "parent"),
        _link(1, 3, "parent"),
        _link(1, 4, "sibling"),
        _link(2, 5, "parent"),
    ]

    nodes = _by_name(build_layout(1, people, links))

    assert {name: node.shape for name, node in nodes.items()} == {
        "Focal": "circle",
        "Dad": "square",
        "Unknown": "diamond",
        "Unborn": "triangle",
        "Late": "square",
    }
    assert nodes["Focal"].is_focal
    assert nodes["Late"].person.is_deceased
    assert nodes["Late"].detail == "1950\u20132019"
    assert nodes["Unborn"].detail == "Due 1 Jan 2030"


def test_partners_are_joined_and_an_ended_partnership_is_struck_through() -> None:
    people = {1: _person(1, "A", "M", 1980), 2: _person(2, "B", "F", 1981)}

    current = build_layout(1, people, [_link(1, 2, "partner")])
    ended = build_layout(1, people, [_link(1, 2, "partner", ended=True)])
    both_ways = build_layout(
        1, people, [_link(1, 2, "partner", ended=True), _link(2, 1, "partner")]
    )

    assert [line.kind for line in current.lines] == ["partner"]
    line = current.lines[0]
    assert line.y1 == line.y2 == current.focal.cy
    assert [line.kind for line in ended.lines] == ["partner", "separation", "separation"]
    # A partnership still current on either record is current
    assert [line.kind for line in both_ways.lines] == ["partner"]


def test_links_recorded_in_one_direction_only_are_drawn() -> None:
    people = {1: _person(1, "Child", "M", 2015), 2: _person(2, "Mum", "F", 1990)}

    from_child = build_layout(1, people, [_link(1, 2, "parent")])
    from_mother = build_layout(1, people, [_link(2, 1, "child")])

    for layout in (from_child, from_mother):
        assert _by_name(layout)["Mum"].generation == -1
        assert any(line.kind == "descent" for line in layout.lines)


def test_siblings_without_recorded_parents_share_a_bar() -> None:
    people = {
        1: _person(1, "A", "M", 2015),
        2: _person(2, "B", "F", 2012),
        3: _person(3, "C", "M", 2018),
    }

    layout = build_layout(1, people, [_link(1, 2, "sibling"), _link(3, 1, "sibling")])

    nodes = _by_name(layout)
    assert {node.generation for node in layout.nodes} == {0}
    assert nodes["B"].x < nodes["C"].x  # birth order
    bars = [line for line in layout.lines if line.kind == "sibship"]
    assert len(bars) == 1
    assert bars[0].x1 == min(node.cx for node in layout.nodes)
    assert bars[0].x2 == max(node.cx for node in layout.nodes)


def test_someone_recorded_twice_is_drawn_once_in_the_closer_place() -> None:
    people = {1: _person(1, "A", "M", 2015), 2: _person(2, "B", "F", 1990)}

    layout = build_layout(
        1, people, [_link(1, 2, "parent"), _link(1, 2, "sibling"), _link(1, 1, "child")]
    )

    assert [node.person.name for node in layout.nodes].count("B") == 1
    assert _by_name(layout)["B"].generation == -1


def test_links_to_people_not_given_are_ignored() -> None:
    layout = build_layout(1, {1: _person(1, "A")}, [_link(1, 99, "parent")])

    assert len(layout.nodes) == 1


def test_the_focal_person_must_be_given() -> None:
    with pytest.raises(ValueError, match="focal person"):
        build_layout(1, {2: _person(2, "B")}, [])


@pytest.mark.parametrize("seed", range(40))
def test_random_families_never_overlap(seed: int) -> None:
    # Given a random family around the focal person, with step-families and odd data
    rng = random.Random(seed)
    size = rng.randint(2, 40)
    people = {
        pid: _person(pid, f"P{pid}", rng.choice("MFU"), rng.randint(1940, 2024))
        for pid in range(1, size + 1)
    }
    links = [
        _link(
            rng.randint(1, size),
            rng.randint(1, size),
            rng.choice(["parent", "child", "partner", "sibling"]),
            ended=rng.random() < 0.2,
        )
        for _ in range(rng.randint(1, size * 3))
    ]
    links += [
        _link(1, rng.randint(2, size), rng.choice(["parent", "child", "partner", "sibling"]))
        for _ in range(5)
    ]

    layout = build_layout(1, people, links)

    _assert_no_overlaps(layout)
    assert len({node.person.id for node in layout.nodes}) == len(layout.nodes)
    assert {node.generation for node in layout.nodes} <= {-2, -1, 0, 1, 2}


@pytest.mark.django_db
def test_genogram_for_reads_the_relationship_rows_without_queries(
    django_assert_num_queries: Callable[..., object],
) -> None:
    child = PersonFactory(first_name="Jayden", last_name="Whitmore", sex="M")
    mother = PersonFactory(first_name="Mary", last_name="Whitmore", sex="F")
    carer = PersonFactory(first_name="Kim", last_name="Carer", sex="F")
    types = {kind.code: kind for kind in RelationshipType.objects.all()}
    Relationship.objects.create(person=child, other=mother, type=types["parent"])
    Relationship.objects.create(person=mother, other=child, type=types["child"])
    Relationship.objects.create(person=child, other=carer, type=types["carer"])
    rows = list(Relationship.objects.select_related("other", "type"))
    focal = Person.objects.get(pk=child.pk)

    with django_assert_num_queries(0):  # type: ignore[operator]
        layout = genogram_for(focal, rows, today=datetime.date(2025, 6, 1))

    nodes = _by_name(layout)
    assert set(nodes) == {"Jayden Whitmore", "Mary Whitmore"}  # a carer is not family
    assert nodes["Mary Whitmore"].label == "Mother"


def test_the_svg_is_an_accessible_image_with_a_text_version() -> None:
    layout = build_layout(FOCAL, FAMILY, FAMILY_LINKS)

    html = render_to_string("clients/_genogram.html", {"layout": layout})

    assert 'role="img"' in html
    assert f'aria-labelledby="genogram-title-{FOCAL} genogram-desc-{FOCAL}"' in html
    assert f'<title id="genogram-title-{FOCAL}">Genogram for Jayden</title>' in html
    assert (
        "Grandparents: Grandpa John, grandfather; Grandad, grandfather; Gran, grandmother, died"
        in html
    )
    assert "Mary, mother" in html
    assert "Family tree as text" in html
    assert html.count("<circle") >= 5
    assert "style=" not in html
    assert "<script" not in html
