"""The case progress map: the steps of an episode and the links between them, over time.

`build_layout` is a pure function from steps and links to positions and paths, so the
layout can be tested without a database; `episode_map` adapts an episode's `Step` and
`StepLink` rows (from `workflows.selectors.person_episodes`) to it, and `map_svg` draws
the result as inline SVG in which every step is a link to its page (the template
`workflows/progress_map.html` adds a table of the same steps).

Time runs left to right. Steps are placed in columns: a step is always to the right of
the step it came from, and of every step that started on an earlier day, so columns
read as time; steps started on the same day with no link between them share a column.
Within a column, steps sit in lanes (rows): a step takes the lane of the step it came
from when the lane is free all the way, so a chain of work reads as a straight line and
only a branch (two next actions) bends.
"""

from __future__ import annotations

import datetime
import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from workflows.models import Step, StepLink

NODE_WIDTH = 176
NODE_HEIGHT = 80
COLUMN_GAP = 56
COLUMN = NODE_WIDTH + COLUMN_GAP
LANE = NODE_HEIGHT + 24
MARGIN = 16
AXIS = 28  # the row of dates above the columns
NAME_LIMIT = 22  # characters of a line of a step's name in its box (two lines at most)
LINE = 16  # from one line of text in a box to the next

# GOV.UK tag colours: fill, border. The status is also written in words in every box.
COLOURS = {
    Step.Status.PLANNED: ("#bbd4ea", "#0c2d4a"),
    Step.Status.IN_PROGRESS: ("#fff7bf", "#594d00"),
    Step.Status.AWAITING_AUTHORISATION: ("#fcd6c3", "#6e3619"),
    Step.Status.COMPLETED: ("#cce2d8", "#005a30"),
    Step.Status.CANCELLED: ("#e5e6e7", "#282d30"),
}
OVERDUE_BORDER = "#d4351c"
TAGS = {
    Step.Status.PLANNED: "govuk-tag--blue",
    Step.Status.IN_PROGRESS: "govuk-tag--yellow",
    Step.Status.AWAITING_AUTHORISATION: "govuk-tag--orange",
    Step.Status.COMPLETED: "govuk-tag--green",
    Step.Status.CANCELLED: "govuk-tag--grey",
}


def _day(value: datetime.date | None) -> str:
    return f"{value:%-d %b %Y}" if value else ""


@dataclass(frozen=True)
class MapStep:
    id: int
    name: str
    status: str
    start: datetime.date  # started, or received when not started yet
    end: datetime.date | None = None  # completed, or cancelled
    due: datetime.date | None = None
    worker: str = ""
    is_overdue: bool = False
    order: int = 0  # tie-break between steps started the same day: creation order

    @property
    def status_label(self) -> str:
        return str(Step.Status(self.status).label)

    @property
    def tag(self) -> str:
        return TAGS.get(Step.Status(self.status), "govuk-tag--grey")

    @property
    def date_line(self) -> str:
        """The one date that matters most for the step's state, in its box."""
        if self.status == Step.Status.COMPLETED and self.end:
            return f"Completed {_day(self.end)}"
        if self.status == Step.Status.CANCELLED:
            return f"Cancelled {_day(self.end)}" if self.end else "Cancelled"
        if self.due:
            return f"Due {_day(self.due)}"
        if self.status == Step.Status.PLANNED:
            return f"Received {_day(self.start)}"
        return f"Started {_day(self.start)}"


@dataclass(frozen=True)
class MapLink:
    """`to_id` was started as a next action of `from_id`."""

    from_id: int
    to_id: int
    label: str = ""


@dataclass
class MapNode:
    step: MapStep
    column: int
    lane: int
    came_from: list[MapNode] = field(default_factory=list)
    led_to: list[MapNode] = field(default_factory=list)

    @property
    def x(self) -> int:
        return MARGIN + self.column * COLUMN

    @property
    def y(self) -> int:
        return MARGIN + AXIS + self.lane * LANE

    @property
    def right(self) -> int:
        return self.x + NODE_WIDTH

    @property
    def middle(self) -> int:
        return self.y + NODE_HEIGHT // 2

    @property
    def name_lines(self) -> list[str]:
        """The step's name in at most two lines, broken between words; the table has it whole."""
        lines: list[str] = []
        current = ""
        for word in self.step.name.split():
            candidate = f"{current} {word}".strip()
            if len(candidate) <= NAME_LIMIT or not current:
                current = candidate
                continue
            lines.append(current)
            current = word
        lines.append(current)
        if len(lines) > 2:
            lines = [lines[0], " ".join(lines[1:])]
        return [
            line if len(line) <= NAME_LIMIT else line[: NAME_LIMIT - 1].rstrip() + "\u2026"
            for line in lines
        ]

    @property
    def status_line(self) -> str:
        return self.step.status_label + (", overdue" if self.step.is_overdue else "")

    @property
    def lines(self) -> list[str]:
        """The text in the step's box, which is also its link's name."""
        return [*self.name_lines, self.status_line, self.step.date_line]


@dataclass(frozen=True)
class MapEdge:
    source: MapNode
    target: MapNode
    label: str

    @property
    def path(self) -> str:
        """From the middle of the source's right side to the middle of the target's left."""
        x1, y1 = self.source.right, self.source.middle
        x2, y2 = self.target.x - 2, self.target.middle
        if y1 == y2 and x2 > x1:
            return f"M{x1},{y1} H{x2}"
        if x2 > x1:
            # Bend within the gap beside each box, so a long link crosses columns diagonally.
            bend = max(min((x2 - x1) // 2, COLUMN_GAP), 16)
            return f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}"
        # A link back in time (dates recorded out of order): round below the boxes.
        below = max(self.source.y, self.target.y) + NODE_HEIGHT + 10
        return (
            f"M{x1},{y1} C{x1 + 30},{y1} {x1 + 30},{below} {x1},{below} "
            f"H{x2 - 30} C{x2 - 30},{below} {x2 - 30},{y2} {x2},{y2}"
        )


@dataclass
class Layout:
    nodes: list[MapNode] = field(default_factory=list)
    edges: list[MapEdge] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # the date over each column, or ""

    @property
    def width(self) -> int:
        count = max(len(self.columns), 1)
        return MARGIN * 2 + count * COLUMN - COLUMN_GAP

    @property
    def height(self) -> int:
        lanes = max((node.lane for node in self.nodes), default=0) + 1
        return MARGIN * 2 + AXIS + lanes * LANE - (LANE - NODE_HEIGHT) + 12

    @property
    def in_time_order(self) -> list[MapNode]:
        """The steps as the table lists them: by start date, then the order they were created."""
        return sorted(self.nodes, key=lambda node: (node.step.start, node.step.order, node.step.id))

    @property
    def description(self) -> str:
        if not self.nodes:
            return "No steps have been recorded yet."
        steps = self.in_time_order
        first, last = (
            steps[0].step.start,
            max((node.step.end or node.step.start) for node in self.nodes),
        )
        open_count = sum(1 for node in self.nodes if node.step.status in Step.OPEN_STATUSES)
        count = len(self.nodes)
        text = (
            f"{count} step{'s' if count != 1 else ''} from {first:%-d %B %Y} "
            f"to {last:%-d %B %Y}, {open_count} still open. "
        )
        return text + "Each step is a link to its page; the table after the map lists them."


def _time_order(steps: Sequence[MapStep], successors: dict[int, list[int]]) -> list[MapStep]:
    """Steps in an order where every step comes after the steps it came from.

    Among the steps ready to place, the earliest started goes first. A cycle (which the
    engine never makes) is broken by taking the earliest remaining step.
    """
    by_id = {step.id: step for step in steps}
    incoming: dict[int, int] = dict.fromkeys(by_id, 0)
    for targets in successors.values():
        for target in targets:
            incoming[target] += 1
    ready = [(step.start, step.order, step.id) for step in steps if incoming[step.id] == 0]
    heapq.heapify(ready)
    ordered: list[MapStep] = []
    done: set[int] = set()
    while len(ordered) < len(steps):
        if not ready:
            rest = min((step.start, step.order, step.id) for step in steps if step.id not in done)
            ready.append(rest)
        _, _, step_id = heapq.heappop(ready)
        if step_id in done:
            continue
        done.add(step_id)
        ordered.append(by_id[step_id])
        for target in successors.get(step_id, []):
            incoming[target] -= 1
            if incoming[target] == 0 and target not in done:
                heapq.heappush(ready, (by_id[target].start, by_id[target].order, target))
    return ordered


def build_layout(steps: Iterable[MapStep], links: Iterable[MapLink]) -> Layout:
    """Columns (time) and lanes for each step, and a path for each link. No queries."""
    steps = list(steps)
    ids = {step.id for step in steps}
    links = [
        link
        for link in links
        if link.from_id in ids and link.to_id in ids and link.from_id != link.to_id
    ]
    successors: dict[int, list[int]] = defaultdict(list)
    predecessors: dict[int, list[int]] = defaultdict(list)
    for link in links:
        successors[link.from_id].append(link.to_id)
        predecessors[link.to_id].append(link.from_id)

    nodes: dict[int, MapNode] = {}
    occupied: dict[int, set[int]] = defaultdict(set)  # lane -> columns taken (boxes and lines)
    for step in _time_order(steps, successors):
        earlier = [node.column for node in nodes.values() if node.step.start < step.start]
        after_parents = [nodes[p].column + 1 for p in predecessors[step.id] if p in nodes]
        column = max([max(earlier, default=-1) + 1, *after_parents])
        parents = sorted(
            (nodes[p] for p in predecessors[step.id] if p in nodes),
            key=lambda node: (node.lane, node.column),
        )
        lane = _free_lane(column, parents, occupied)
        node = MapNode(step=step, column=column, lane=lane)
        nodes[step.id] = node
        occupied[lane].add(column)
        for parent in parents:
            parent.led_to.append(node)
            node.came_from.append(parent)
            if parent.lane == lane:
                # A straight line runs through the columns between: keep them clear.
                occupied[lane].update(range(parent.column + 1, column))

    layout = Layout(nodes=list(nodes.values()))
    for link in links:
        layout.edges.append(MapEdge(nodes[link.from_id], nodes[link.to_id], link.label))
    column_count = max((node.column for node in layout.nodes), default=-1) + 1
    starts: dict[int, datetime.date] = {}
    for node in layout.nodes:
        if node.column not in starts or node.step.start < starts[node.column]:
            starts[node.column] = node.step.start
    previous = ""
    for column in range(column_count):
        label = _day(starts.get(column))
        # Several columns on one day (a chain of same-day steps): date the first only.
        layout.columns.append(label if label != previous else "")
        previous = label or previous
    return layout


def _free_lane(column: int, parents: list[MapNode], occupied: dict[int, set[int]]) -> int:
    """A parent's lane if it is clear from the parent to `column`; else the nearest free lane.

    A lane whose parent's line would run through other steps is not used at all: a
    straight line through boxes would read as if those steps were joined.
    """
    blocked: set[int] = set()
    for parent in parents:
        between = range(parent.column + 1, column + 1)
        if not any(taken in occupied[parent.lane] for taken in between):
            return parent.lane
        blocked.add(parent.lane)
    home = parents[0].lane if parents else 0
    lane_count = max(occupied, default=-1) + 2
    for lane in sorted(range(lane_count + 1), key=lambda lane: (abs(lane - home), lane)):
        if lane not in blocked and column not in occupied[lane]:
            return lane
    return lane_count + 1


# ----------------------------------------------------------------------------------------
# From rows
# ----------------------------------------------------------------------------------------


def map_step(step: Step, *, today: datetime.date, order: int = 0) -> MapStep:
    """A step row (with its step type and assignee loaded) as the map draws it."""
    start = step.started_on or step.created_at.date()
    end = None
    if step.status == Step.Status.COMPLETED:
        end = step.event_date or (step.completed_at.date() if step.completed_at else None)
    worker = str(step.assignee) if step.assignee_id else ""
    return MapStep(
        id=step.pk,
        name=step.step_type.name,
        status=step.status,
        start=start,
        end=end,
        due=step.due_date if step.is_open else None,
        worker=worker,
        is_overdue=step.is_open and step.due_date is not None and step.due_date < today,
        order=order,
    )


def episode_map(
    steps: Sequence[Step], links: Sequence[StepLink], *, today: datetime.date
) -> Layout:
    """The layout for one episode's step and link rows (no queries)."""
    return build_layout(
        (map_step(step, today=today, order=index) for index, step in enumerate(steps)),
        (
            MapLink(
                link.from_step_id,
                link.to_step_id,
                link.transition.label if link.transition_id and link.transition else "",
            )
            for link in links
        ),
    )


# ----------------------------------------------------------------------------------------
# Drawing
# ----------------------------------------------------------------------------------------


def _node(node: MapNode, href: str) -> list[str]:
    """A step's box: a link whose name is the text in the box (name, status, date).

    One <text> of lines joined by spaces, so the link's name reads as its words do, and
    no aria-label that could say something other than what is seen.
    """
    step = node.step
    fill, border = COLOURS.get(Step.Status(step.status), ("#ffffff", "#0b0c0c"))
    width = 2
    if step.is_overdue:
        border, width = OVERDUE_BORDER, 4
    lines = node.lines
    first = node.y + (NODE_HEIGHT - LINE * (len(lines) - 1)) // 2 + 4
    spans = []
    for index, line in enumerate(lines):
        bold = (
            ' font-weight="bold" text-decoration="underline"'
            if index < len(node.name_lines)
            else ""
        )
        spans.append(
            f'<tspan x="{node.x + 10}" y="{first + index * LINE}"{bold}>{escape(line)}</tspan>'
        )
    return [
        f'<a href="{escape(href)}">',
        f'<rect x="{node.x}" y="{node.y}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="4" '
        f'fill="{fill}" stroke="{border}" stroke-width="{width}"/>',
        f'<text fill="#0b0c0c">{" ".join(spans)}</text>',
        "</a>",
    ]


def map_svg(layout: Layout, *, key: str, title: str, step_url: dict[int, str]) -> SafeString:
    """The layout as inline SVG: a labelled group of links, one per step, joined by arrows.

    Not role="img": an image's content is hidden from assistive technology, and here the
    content is links a keyboard user must reach. The group carries the title and a
    description in words; `step_url` maps each step's id to its page.
    """
    title_id = f"progress-map-title-{key}"
    desc_id = f"progress-map-desc-{key}"
    arrow_id = f"progress-map-arrow-{key}"
    parts = [
        f'<svg class="app-progress-map" xmlns="http://www.w3.org/2000/svg" role="group" '
        f'aria-labelledby="{title_id}" aria-describedby="{desc_id}" '
        f'viewBox="0 0 {layout.width} {layout.height}" width="{layout.width}" '
        f'height="{layout.height}" font-family="arial, sans-serif" font-size="14">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(layout.description)}</desc>',
        f'<defs><marker id="{arrow_id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#0b0c0c"/></marker></defs>',
        f'<rect x="0" y="0" width="{layout.width}" height="{layout.height}" fill="#ffffff"/>',
    ]
    parts.append('<g fill="#505a5f" font-size="13">')
    for column, label in enumerate(layout.columns):
        if label:
            x = MARGIN + column * COLUMN
            parts.append(f'<text x="{x}" y="{MARGIN + 12}">{escape(label)}</text>')
    parts.append("</g>")
    parts.append(f'<g fill="none" stroke="#0b0c0c" stroke-width="2" marker-end="url(#{arrow_id})">')
    for edge in layout.edges:
        parts.append(f'<path d="{edge.path}"/>')
    parts.append("</g>")
    for node in layout.nodes:
        parts.extend(_node(node, step_url[node.step.id]))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every value above is a number or escaped)
