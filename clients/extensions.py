"""Sections other apps contribute to the person page, without clients knowing about them.

Imports run one way (clients knows no process), so an app that has something to show on
a person's page registers a section here from its AppConfig.ready(); the person page
renders each registered section with the context its provider returns. A provider gets
the person and the acting user and returns None to show nothing; it must cost a small,
fixed number of queries, because the person page is the page opened fifty times a day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from casemgmt.types import AnyUser
from clients.models import Person

Provider = Callable[[Person, AnyUser], dict[str, Any] | None]


@dataclass(frozen=True)
class PersonSection:
    key: str
    template: str
    provider: Provider
    order: int


@dataclass(frozen=True)
class RenderedSection:
    key: str
    template: str
    context: dict[str, Any]


_SECTIONS: dict[str, PersonSection] = {}


def register_person_section(key: str, *, template: str, provider: Provider, order: int) -> None:
    """Show a section on every person page (registering the same key again replaces it)."""
    _SECTIONS[key] = PersonSection(key, template, provider, order)


def person_sections(person: Person, user: AnyUser) -> list[RenderedSection]:
    """The registered sections that have something to show to this user, in order."""
    rendered = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        context = section.provider(person, user)
        if context is not None:
            rendered.append(RenderedSection(section.key, section.template, context))
    return rendered


# --- actions on a case note -------------------------------------------------------------


@dataclass(frozen=True)
class NoteAction:
    """A link another app offers on a case note's page (e.g. attaching documents)."""

    label: str
    url: str


NoteActionProvider = Callable[[Person, Any, AnyUser], NoteAction | None]

_NOTE_ACTIONS: dict[str, tuple[int, NoteActionProvider]] = {}


def register_note_action(key: str, *, provider: NoteActionProvider, order: int) -> None:
    """Offer a link on every case note's page (registering the same key again replaces it).

    The provider gets the person, the note and the acting user, and returns None to offer
    nothing; like a person section, it must cost no more than a query or two.
    """
    _NOTE_ACTIONS[key] = (order, provider)


def note_actions(person: Person, note: Any, user: AnyUser) -> list[NoteAction]:
    """The registered actions this user is offered on this note, in order."""
    found = []
    for _, provider in sorted(_NOTE_ACTIONS.values(), key=lambda item: item[0]):
        action = provider(person, note, user)
        if action is not None:
            found.append(action)
    return found
