"""The genogram on the person page: a family tree drawn from relationship rows.

`build_layout` is a pure function from people and links to positions and lines, so the
layout can be tested without a database; `genogram_for` adapts `Relationship` rows
(already fetched with `other` and `type`) to it, and `genogram_svg` draws the result
as an accessible inline SVG (the template `clients/_genogram.html` adds the text version).

Conventions followed (those UK social workers are taught): squares are male, circles
female, diamonds sex not known, a triangle an unborn child; the focal person has a
double border; a cross through a symbol means the person has died; partners are joined
by a line at symbol height, struck through twice where the partnership has ended;
children hang from their parents' line by a bar above their row, in birth order;
siblings share the focal person's row. Three generations each way are at most
grandparents to grandchildren.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from clients.models import Person, Relationship, RelationshipType

SHAPE = 40  # the symbol's width and height
CELL_WIDTH = 130  # the symbol and the text under it
CELL_HEIGHT = 92
GAP = 20  # between two cells in a row
STEP = CELL_WIDTH + GAP
ROW_HEIGHT = 160  # from one generation's top to the next's
MARGIN = 24
NAME_LIMIT = 18  # characters of a name drawn under a symbol; the text version has them all

PARENT = RelationshipType.Genogram.PARENT.value
CHILD = RelationshipType.Genogram.CHILD.value
PARTNER = RelationshipType.Genogram.PARTNER.value
SIBLING = RelationshipType.Genogram.SIBLING.value
DRAWN_KINDS = (PARENT, CHILD, PARTNER, SIBLING)

GENERATION_NAMES = {
    -2: "Grandparents",
    -1: "Parents and their partners",
    0: "Brothers, sisters and partners",
    1: "Children and their partners",
    2: "Grandchildren",
}


@dataclass(frozen=True)
class GenogramPerson:
    id: int
    name: str
    sex: str = "U"
    born: datetime.date | None = None
    died: datetime.date | None = None
    expected: datetime.date | None = None
    age: int | None = None

    @property
    def is_deceased(self) -> bool:
        return self.died is not None

    @property
    def is_unborn(self) -> bool:
        return self.born is None and self.expected is not None


@dataclass(frozen=True)
class GenogramLink:
    """`other_id` is KIND to `person_id` (kind: parent, child, partner or sibling)."""

    person_id: int
    other_id: int
    kind: str
    is_ended: bool = False


@dataclass
class Node:
    person: GenogramPerson
    generation: int
    label: str
    role: str  # focal, parent, parent-partner, sibling, partner, child, step-child, ...
    x: int = 0  # left edge of the cell
    y: int = 0  # top edge of the cell

    @property
    def is_focal(self) -> bool:
        return self.role == "focal"

    @property
    def cx(self) -> int:
        return self.x + CELL_WIDTH // 2

    @property
    def cy(self) -> int:
        return self.y + SHAPE // 2

    @property
    def shape(self) -> str:
        if self.person.is_unborn:
            return "triangle"
        return {"M": "square", "F": "circle"}.get(self.person.sex, "diamond")

    @property
    def shape_left(self) -> int:
        return self.cx - SHAPE // 2

    @property
    def shape_right(self) -> int:
        return self.cx + SHAPE // 2

    @property
    def shape_bottom(self) -> int:
        return self.y + SHAPE

    @property
    def diamond_points(self) -> str:
        half = SHAPE // 2
        return (
            f"{self.cx},{self.y} {self.cx + half},{self.cy} "
            f"{self.cx},{self.y + SHAPE} {self.cx - half},{self.cy}"
        )

    @property
    def inner_diamond_points(self) -> str:
        half = SHAPE // 2 - 6
        return (
            f"{self.cx},{self.cy - half} {self.cx + half},{self.cy} "
            f"{self.cx},{self.cy + half} {self.cx - half},{self.cy}"
        )

    @property
    def triangle_points(self) -> str:
        half = SHAPE // 2
        return f"{self.cx},{self.y} {self.cx + half},{self.y + SHAPE} {self.cx - half},{self.y + SHAPE}"

    @property
    def short_name(self) -> str:
        name = self.person.name
        return name if len(name) <= NAME_LIMIT else name[: NAME_LIMIT - 1].rstrip() + "\u2026"

    @property
    def detail(self) -> str:
        person = self.person
        if person.is_unborn and person.expected:
            return f"Due {person.expected:%-d %b %Y}"
        if person.is_deceased and person.died:
            born = f"{person.born.year}\u2013" if person.born else "Died "
            return f"{born}{person.died.year}"
        if person.age is not None:
            return f"Age {person.age}"
        return ""

    @property
    def text_y(self) -> tuple[int, int, int]:
        """Baselines of the three lines under the symbol: name, detail, relationship."""
        top = self.y + SHAPE
        return top + 17, top + 33, top + 49


@dataclass(frozen=True)
class Line:
    x1: int
    y1: int
    x2: int
    y2: int
    kind: str  # partner, separation, descent, sibship


@dataclass
class Layout:
    focal_id: int
    nodes: list[Node] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    width: int = 0
    height: int = 0

    @property
    def focal(self) -> Node:
        return next(node for node in self.nodes if node.is_focal)

    @property
    def has_relatives(self) -> bool:
        return len(self.nodes) > 1

    @property
    def generations(self) -> list[tuple[str, list[Node]]]:
        """Relatives by generation, oldest first, for the text version."""
        rows: dict[int, list[Node]] = defaultdict(list)
        for node in sorted(self.nodes, key=lambda node: node.x):
            if not node.is_focal:
                rows[node.generation].append(node)
        return [(GENERATION_NAMES[g], rows[g]) for g in sorted(rows)]

    @property
    def svg(self) -> SafeString:
        return genogram_svg(self)

    @property
    def description(self) -> str:
        """What the picture shows, in words, for the SVG's <desc>."""
        focal = self.focal.person.name
        parts = [f"Family tree for {focal}."]
        for heading, nodes in self.generations:
            people = "; ".join(
                f"{node.person.name}, {node.label.lower()}"
                + (", died" if node.person.is_deceased else "")
                for node in nodes
            )
            parts.append(f"{heading}: {people}.")
        if not self.has_relatives:
            parts.append("No family relationships are recorded.")
        return " ".join(parts)


class _Family:
    """Who is whose parent, partner and sibling, from links recorded in either direction."""

    def __init__(self, links: Iterable[GenogramLink]) -> None:
        self.parents: dict[int, set[int]] = defaultdict(set)
        self.children: dict[int, set[int]] = defaultdict(set)
        self.siblings: dict[int, set[int]] = defaultdict(set)
        # partners[a][b] is True while any recorded partnership of the two is current.
        self.partners: dict[int, dict[int, bool]] = defaultdict(dict)
        ended: dict[frozenset[int], bool] = {}
        for link in links:
            a, b = link.person_id, link.other_id
            if a == b:
                continue
            if link.kind == PARENT:
                self.parents[a].add(b)
                self.children[b].add(a)
            elif link.kind == CHILD:
                self.parents[b].add(a)
                self.children[a].add(b)
            elif link.kind == SIBLING:
                self.siblings[a].add(b)
                self.siblings[b].add(a)
            elif link.kind == PARTNER:
                pair = frozenset((a, b))
                ended[pair] = ended.get(pair, True) and link.is_ended
        for pair, is_ended in ended.items():
            a, b = tuple(pair)
            self.partners[a][b] = not is_ended
            self.partners[b][a] = not is_ended


def build_layout(
    focal_id: int,
    people: Mapping[int, GenogramPerson],
    links: Iterable[GenogramLink],
    *,
    labels: Mapping[int, str] | None = None,
) -> Layout:
    """Place the focal person's family, grandparents to grandchildren, without overlaps.

    `labels` gives what each person is to the focal person where a relationship says so
    directly ("Mother", "Foster carer"); others are worked out ("Grandmother").
    """
    if focal_id not in people:
        raise ValueError("The focal person must be among the people.")
    labels = labels or {}
    family = _Family(link for link in links if {link.person_id, link.other_id} <= people.keys())
    placed: dict[int, Node] = {}
    rows: dict[int, list[Node]] = defaultdict(list)

    def by_birth(ids: Iterable[int]) -> list[int]:
        return sorted(
            ids,
            key=lambda pid: (
                people[pid].born or people[pid].expected or datetime.date.max,
                people[pid].name,
                pid,
            ),
        )

    def fathers_first(ids: Iterable[int]) -> list[int]:
        order = {"M": 0, "U": 1, "F": 2}
        return sorted(ids, key=lambda pid: (order.get(people[pid].sex, 1), people[pid].name, pid))

    def place(pid: int, generation: int, role: str, derived: str) -> None:
        if pid in placed:
            return
        node = Node(
            person=people[pid],
            generation=generation,
            label=labels.get(pid) or derived if role != "focal" else "",
            role=role,
        )
        placed[pid] = node
        rows[generation].append(node)

    def named(pid: int, male: str, female: str, neutral: str) -> str:
        return {"M": male, "F": female}.get(people[pid].sex, neutral)

    # Nearest relatives first, so that odd data (someone recorded as both a parent and a
    # sibling) is drawn once, in the closer place.
    place(focal_id, 0, "focal", "")
    parents = fathers_first(family.parents[focal_id])
    for pid in parents:
        place(pid, -1, "parent", named(pid, "Father", "Mother", "Parent"))
    siblings = set(family.siblings[focal_id])
    for pid in parents:
        siblings |= family.children[pid]
    siblings.discard(focal_id)
    for pid in by_birth(siblings):
        place(pid, 0, "sibling", named(pid, "Brother", "Sister", "Sibling"))
    # The focal person ends the line of siblings so that partners can stand beside them.
    rows[0].append(rows[0].pop(0))
    partners = sorted(
        family.partners[focal_id], key=lambda pid: (not family.partners[focal_id][pid], pid)
    )
    for pid in partners:
        place(pid, 0, "partner", "Partner" if family.partners[focal_id][pid] else "Former partner")
    for pid in by_birth(family.children[focal_id]):
        place(pid, 1, "child", named(pid, "Son", "Daughter", "Child"))
    for partner in partners:
        for pid in by_birth(family.children[partner]):
            place(pid, 1, "step-child", named(pid, "Stepson", "Stepdaughter", "Step-child"))
    children = [node.person.id for node in rows[1]]
    for parent in parents:
        for pid in fathers_first(family.parents[parent]):
            place(pid, -2, "grandparent", named(pid, "Grandfather", "Grandmother", "Grandparent"))
        for pid in sorted(family.partners[parent]):
            place(pid, -1, "parent-partner", f"{placed[parent].label}'s partner")
    for child in children:
        for pid in sorted(family.partners[child]):
            place(pid, 1, "child-partner", f"{placed[child].label}'s partner")
    for child in children:
        for pid in by_birth(family.children[child]):
            place(pid, 2, "grandchild", named(pid, "Grandson", "Granddaughter", "Grandchild"))

    _order_rows(rows, family)
    _position(rows, family, placed)
    for generation in rows:
        rows[generation].sort(key=lambda node: node.x)
    layout = Layout(focal_id=focal_id, nodes=[node for g in sorted(rows) for node in rows[g]])
    _normalise(layout)
    layout.lines = _lines(rows, family, placed)
    return layout


def _parent_set(node: Node, family: _Family, placed: Mapping[int, Node]) -> frozenset[int]:
    """The node's parents drawn in the row above; siblings share the focal person's parents."""
    parents = frozenset(
        pid
        for pid in family.parents[node.person.id]
        if pid in placed and placed[pid].generation == node.generation - 1
    )
    if not parents and node.role == "sibling":
        focal = next(n for n in placed.values() if n.is_focal)
        return _parent_set(focal, family, placed)
    return parents


def _sibship(rows: Mapping[int, list[Node]]) -> list[Node]:
    return [node for node in rows[0] if node.role in ("focal", "sibling")]


def _order_rows(rows: dict[int, list[Node]], family: _Family) -> None:
    """Keep partners beside each other and children next to their own partners."""
    # Parents' row: the other partners of the left parent go to its left, of the right
    # parent to its right, so that each couple's line is short.
    parent_row = rows.get(-1, [])
    core = [node for node in parent_row if node.role == "parent"]
    if len(core) > 1:
        others = [node for node in parent_row if node.role != "parent"]
        left_side = [n for n in others if core[0].person.id in family.partners[n.person.id]]
        right_side = [n for n in others if n not in left_side]
        rows[-1] = [*reversed(left_side), *core, *right_side]
    # Focal row: half-siblings through a parent's other partner stand on that side, beyond
    # the full siblings, the focal person and their partners.
    index = {node.person.id: position for position, node in enumerate(rows.get(-1, []))}
    core_ids = {node.person.id for node in core}
    centre = sum(index[pid] for pid in core_ids) / len(core_ids) if core_ids else 0.0

    def side(node: Node) -> int:
        drawn = [pid for pid in family.parents[node.person.id] if pid in index]
        if not drawn or set(drawn) <= core_ids:
            return 0
        return -1 if sum(index[pid] for pid in drawn) / len(drawn) < centre else 1

    siblings = [node for node in rows[0] if node.role == "sibling"]
    rows[0] = [
        *(node for node in siblings if side(node) < 0),
        *(node for node in siblings if side(node) == 0),
        *(node for node in rows[0] if node.role in ("focal", "partner")),
        *(node for node in siblings if side(node) > 0),
    ]
    # Children's row: each child followed by their partners.
    children_row = rows.get(1, [])
    ordered: list[Node] = []
    for node in children_row:
        if node.role == "child-partner":
            continue
        ordered.append(node)
        for other in children_row:
            if (
                other.role == "child-partner"
                and other.person.id in family.partners[node.person.id]
                and other not in ordered
            ):
                ordered.append(other)
    ordered.extend(node for node in children_row if node not in ordered)
    if children_row:
        rows[1] = ordered


Block = tuple[int, list[Node], int, list[int] | None]


def _place_blocks(blocks: list[Block]) -> None:
    """Lay out blocks of cells left to right, each as near its target as it can be.

    A block is (target, nodes, anchor, offsets): the point `anchor` pixels from the
    block's left edge should sit at x = `target`; each node sits at its offset from the
    left edge (one cell after another if None). Blocks never overlap: one that would is
    pushed right.
    """
    cursor: int | None = None
    for target, nodes, anchor, given in sorted(blocks, key=lambda block: block[0]):
        offsets = given or [index * STEP for index in range(len(nodes))]
        left = target - anchor
        if cursor is not None:
            left = max(left, cursor)
        for node, offset in zip(nodes, offsets, strict=True):
            node.x = left + offset
        cursor = left + offsets[-1] + STEP


def _anchor(first: int, last: int) -> int:
    """The offset from a block's left edge of the point midway between cells first and last."""
    return (first + last) * STEP // 2 + CELL_WIDTH // 2


def _mid(nodes: Iterable[Node]) -> int:
    centres = [node.cx for node in nodes]
    return (min(centres) + max(centres)) // 2


def _position(rows: dict[int, list[Node]], family: _Family, placed: Mapping[int, Node]) -> None:
    focal = placed[next(pid for pid, node in placed.items() if node.is_focal)]
    # The focal row first, one cell after another.
    _place_blocks([(0, rows[0], CELL_WIDTH // 2, None)])

    # Up: the parents centred over the focal person and their siblings, and each set of
    # grandparents over their child. Parents stand far enough apart for both sets of
    # grandparents to fit above them.
    blocks: list[Block]
    parent_row = rows.get(-1, [])
    grandparents_of = {
        node.person.id: [
            n for n in rows.get(-2, []) if n.person.id in family.parents[node.person.id]
        ]
        for node in parent_row
        if node.role == "parent"
    }
    if parent_row:
        offsets = [0]
        for before, after in pairwise(parent_row):
            step = STEP
            if before.role == after.role == "parent":
                wanted = len(grandparents_of[before.person.id]) + len(
                    grandparents_of[after.person.id]
                )
                step = max(STEP, wanted * STEP // 2)
            offsets.append(offsets[-1] + step)
        core = [index for index, node in enumerate(parent_row) if node.role == "parent"]
        anchor = (offsets[core[0]] + offsets[core[-1]]) // 2 + CELL_WIDTH // 2
        own_parents = _parent_set(focal, family, placed)
        full_siblings = [
            node for node in _sibship(rows) if _parent_set(node, family, placed) == own_parents
        ]
        _place_blocks([(_mid(full_siblings), parent_row, anchor, offsets)])
    if rows.get(-2):
        blocks = []
        drawn: set[int] = set()
        for parent in (node for node in parent_row if node.role == "parent"):
            grandparents = [
                n for n in grandparents_of[parent.person.id] if n.person.id not in drawn
            ]
            drawn.update(n.person.id for n in grandparents)
            if grandparents:
                blocks.append((parent.cx, grandparents, _anchor(0, len(grandparents) - 1), None))
        _place_blocks(blocks)

    # Down: each family of children centred under its parents; a child's partner stands
    # beside the child.
    for generation in (1, 2):
        row = rows.get(generation, [])
        groups: dict[frozenset[int], list[Node]] = {}
        group_of: dict[int, frozenset[int]] = {}
        for node in row:
            parent_ids = _parent_set(node, family, placed)
            if not parent_ids:
                partner = next(
                    (pid for pid in family.partners[node.person.id] if pid in group_of), None
                )
                parent_ids = group_of[partner] if partner is not None else frozenset()
            group_of[node.person.id] = parent_ids
            groups.setdefault(parent_ids, []).append(node)
        blocks = []
        for parent_ids, nodes in groups.items():
            # Centred on the children themselves; their partners stand to one side.
            own = [i for i, node in enumerate(nodes) if node.role != "child-partner"] or [0]
            target = _mid(placed[pid] for pid in parent_ids) if parent_ids else focal.cx
            blocks.append((target, nodes, _anchor(own[0], own[-1]), None))
        _place_blocks(blocks)


def _normalise(layout: Layout) -> None:
    """Move everything so the picture starts at the margin, and size the canvas."""
    generations = sorted({node.generation for node in layout.nodes})
    shift = MARGIN - min(node.x for node in layout.nodes)
    top = MARGIN + 24  # room over the first row for a couple's line drawn above the symbols
    for node in layout.nodes:
        node.x += shift
        node.y = top + (node.generation - generations[0]) * ROW_HEIGHT
    layout.width = max(node.x for node in layout.nodes) + CELL_WIDTH + MARGIN
    layout.height = top + (generations[-1] - generations[0]) * ROW_HEIGHT + CELL_HEIGHT + MARGIN


def _lines(
    rows: Mapping[int, list[Node]], family: _Family, placed: Mapping[int, Node]
) -> list[Line]:
    lines: list[Line] = []
    # Couples: a line between the symbols; where someone stands between them, the line
    # goes over the row instead, one level higher for each such couple.
    for row in rows.values():
        index_of = {node.person.id: index for index, node in enumerate(row)}
        raised = 0
        for node in row:
            for other_id, is_current in sorted(family.partners[node.person.id].items()):
                if index_of.get(other_id, -1) <= index_of[node.person.id]:
                    continue
                left, right = node, placed[other_id]
                if index_of[other_id] - index_of[node.person.id] == 1:
                    y = left.cy
                    lines.append(Line(left.shape_right, y, right.shape_left, y, "partner"))
                    # A quarter of the way along, clear of any line down to children.
                    middle = (3 * left.shape_right + right.shape_left) // 4
                else:
                    raised += 1
                    y = left.y - 6 * raised
                    lines.append(Line(left.cx, left.y, left.cx, y, "partner"))
                    lines.append(Line(left.cx, y, right.cx, y, "partner"))
                    lines.append(Line(right.cx, y, right.cx, right.y, "partner"))
                    middle = (3 * left.cx + right.cx) // 4
                if not is_current:
                    lines.extend(
                        Line(middle + offset - 4, y + 7, middle + offset + 4, y - 7, "separation")
                        for offset in (-4, 4)
                    )

    # Families of children: a drop from the parents to a bar over the children's row.
    for generation, row in rows.items():
        groups: dict[frozenset[int], list[Node]] = {}
        for node in row:
            parent_ids = _parent_set(node, family, placed)
            if parent_ids:
                groups.setdefault(parent_ids, []).append(node)
        sibship = _sibship(rows) if generation == 0 else []
        if len(sibship) > 1 and not _parent_set(sibship[-1], family, placed):
            # Brothers and sisters whose parents are not recorded still share a bar.
            groups[frozenset()] = sibship
        for index, (parent_ids, children) in enumerate(groups.items()):
            bar_y = children[0].y - 30 + 7 * index
            xs = [child.cx for child in children]
            parents = sorted((placed[pid] for pid in parent_ids), key=lambda node: node.x)
            if len(parents) >= 2:
                left, right = parents[0], parents[-1]
                parent_row = rows[left.generation]
                if parent_row.index(right) - parent_row.index(left) == 1:
                    origin_x, origin_y = (left.shape_right + right.shape_left) // 2, left.cy
                    if right.person.id not in family.partners[left.person.id]:
                        # Parents of a child are joined even if no partnership is recorded.
                        lines.append(
                            Line(left.shape_right, left.cy, right.shape_left, left.cy, "partner")
                        )
                else:
                    # Not side by side: join them under their names first.
                    below = left.y + CELL_HEIGHT + 2
                    origin_x, origin_y = (left.cx + right.cx) // 2, below + 8
                    lines.append(Line(left.cx, below, left.cx, origin_y, "descent"))
                    lines.append(Line(right.cx, below, right.cx, origin_y, "descent"))
                    lines.append(Line(left.cx, origin_y, right.cx, origin_y, "descent"))
                xs.append(origin_x)
                lines.append(Line(origin_x, origin_y, origin_x, bar_y, "descent"))
            elif parents:
                # From below the parent's name, so the line never runs through the text.
                parent = parents[0]
                xs.append(parent.cx)
                lines.append(
                    Line(parent.cx, parent.y + CELL_HEIGHT + 2, parent.cx, bar_y, "descent")
                )
            if min(xs) != max(xs):
                lines.append(Line(min(xs), bar_y, max(xs), bar_y, "sibship"))
            lines.extend(Line(child.cx, bar_y, child.cx, child.y, "descent") for child in children)
    return lines


def _drawn_person(person: Person) -> GenogramPerson:
    return GenogramPerson(
        id=person.pk,
        name=person.full_name,
        sex=person.sex,
        born=person.date_of_birth,
        died=person.date_of_death,
        expected=person.expected_date_of_birth,
        age=None if person.date_of_death else person.age,
    )


def genogram_for(
    focal: Person, relationships: Iterable[Relationship], *, today: datetime.date
) -> Layout:
    """The layout for `focal` from their relationships and their close relatives' (no queries).

    Each relationship must come with `other` and `type` loaded; rows whose `person` is
    neither the focal person nor one of their drawn relatives are ignored.
    """
    people = {focal.pk: _drawn_person(focal)}
    labels: dict[int, str] = {}
    links: list[GenogramLink] = []
    for relationship in relationships:
        kind = relationship.type.genogram
        if kind not in DRAWN_KINDS:
            continue
        if relationship.other_id not in people:
            people[relationship.other_id] = _drawn_person(relationship.other)
        is_ended = relationship.type.code == "former-partner" or (
            relationship.end_date is not None and relationship.end_date <= today
        )
        links.append(
            GenogramLink(
                person_id=relationship.person_id,
                other_id=relationship.other_id,
                kind=kind,
                is_ended=is_ended,
            )
        )
        if relationship.person_id == focal.pk and relationship.other_id not in labels:
            labels[relationship.other_id] = relationship.label
    return build_layout(focal.pk, people, links, labels=labels)


_INK = 'stroke="#0b0c0c" stroke-width="2"'


def _symbol(node: Node) -> list[str]:
    """The node's shape (double-bordered when focal) and its cross when deceased."""
    parts: list[str] = []
    if node.shape == "square":
        parts.append(
            f'<rect x="{node.shape_left}" y="{node.y}" width="{SHAPE}" height="{SHAPE}" fill="#ffffff" {_INK}/>'
        )
        if node.is_focal:
            parts.append(
                f'<rect x="{node.shape_left + 5}" y="{node.y + 5}" width="{SHAPE - 10}" '
                f'height="{SHAPE - 10}" fill="none" {_INK}/>'
            )
    elif node.shape == "circle":
        radius = SHAPE // 2
        parts.append(f'<circle cx="{node.cx}" cy="{node.cy}" r="{radius}" fill="#ffffff" {_INK}/>')
        if node.is_focal:
            parts.append(
                f'<circle cx="{node.cx}" cy="{node.cy}" r="{radius - 5}" fill="none" {_INK}/>'
            )
    elif node.shape == "triangle":
        parts.append(f'<polygon points="{node.triangle_points}" fill="#ffffff" {_INK}/>')
    else:
        parts.append(f'<polygon points="{node.diamond_points}" fill="#ffffff" {_INK}/>')
        if node.is_focal:
            parts.append(f'<polygon points="{node.inner_diamond_points}" fill="none" {_INK}/>')
    if node.person.is_deceased:
        left, right, top, bottom = node.shape_left, node.shape_right, node.y, node.shape_bottom
        parts.append(f'<line x1="{left}" y1="{top}" x2="{right}" y2="{bottom}" {_INK}/>')
        parts.append(f'<line x1="{right}" y1="{top}" x2="{left}" y2="{bottom}" {_INK}/>')
    return parts


def genogram_svg(layout: Layout) -> SafeString:
    """The layout as an accessible inline SVG (one image, with a title and a description).

    Built here rather than in a template: a family of thirty is a few hundred elements,
    and the person page is the page workers open most.
    """
    title_id = f"genogram-title-{layout.focal_id}"
    desc_id = f"genogram-desc-{layout.focal_id}"
    parts = [
        f'<svg class="app-genogram" xmlns="http://www.w3.org/2000/svg" role="img" focusable="false" '
        f'aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {layout.width} {layout.height}" '
        f'width="{layout.width}" height="{layout.height}">',
        f'<title id="{title_id}">Genogram for {escape(layout.focal.person.name)}</title>',
        f'<desc id="{desc_id}">{escape(layout.description)}</desc>',
        f'<rect x="0" y="0" width="{layout.width}" height="{layout.height}" fill="#ffffff"/>',
        '<g stroke="#0b0c0c" stroke-width="2" fill="none" stroke-linecap="square">',
    ]
    for line in layout.lines:
        width = ' stroke-width="2.5"' if line.kind == "separation" else ""
        parts.append(f'<line x1="{line.x1}" y1="{line.y1}" x2="{line.x2}" y2="{line.y2}"{width}/>')
    parts.append("</g>")
    for node in layout.nodes:
        parts.append("<g>")
        parts.extend(_symbol(node))
        name_y, detail_y, label_y = node.text_y
        weight = ' font-weight="bold"' if node.is_focal else ""
        parts.append(
            f'<text x="{node.cx}" y="{name_y}" text-anchor="middle" fill="#0b0c0c"{weight}>'
            f"{escape(node.short_name)}</text>"
        )
        if node.detail:
            parts.append(
                f'<text x="{node.cx}" y="{detail_y}" text-anchor="middle" fill="#505a5f">'
                f"{escape(node.detail)}</text>"
            )
        label = "This person" if node.is_focal else node.label
        parts.append(
            f'<text x="{node.cx}" y="{label_y}" text-anchor="middle" fill="#505a5f">{escape(label)}</text>'
        )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every value above is a number or escaped)
