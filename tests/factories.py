"""factory_boy factories for the whole suite."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import Group as RoleGroup
from django.utils import timezone

from casemgmt.models import Team, TeamMembership, User
from clients.models import (
    Address,
    Alert,
    AlertType,
    CaseNote,
    ChronologyEntry,
    Group,
    GroupMembership,
    Involvement,
    InvolvementRole,
    NoteType,
    Person,
    Relationship,
    RelationshipType,
)
from clients.names import name_keys


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@council.example")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(*RoleGroup.objects.filter(name__in=extracted))


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Service area {n}")
    code = factory.Sequence(lambda n: f"area-{n}")
    kind = Team.Kind.SERVICE_AREA


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Team {n}")
    code = factory.Sequence(lambda n: f"team-{n}")
    kind = Team.Kind.TEAM
    parent = factory.SubFactory(ServiceAreaFactory)


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    start_date = datetime.date(2024, 1, 1)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=1, maximum_age=90)
    sex = factory.Iterator(["M", "F"])
    ethnicity = "WBRI"

    @classmethod
    def _create(cls, model_class: type[Person], *args: object, **kwargs: object) -> Person:
        keys = name_keys(str(kwargs.get("first_name", "")), str(kwargs.get("last_name", "")))
        kwargs.setdefault("search_name", keys.search_name)
        kwargs.setdefault("first_name_phonetic", keys.first_name_phonetic)
        kwargs.setdefault("last_name_phonetic", keys.last_name_phonetic)
        return super()._create(model_class, *args, **kwargs)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    person = factory.SubFactory(PersonFactory)
    line_1 = factory.Faker("street_address")
    town = factory.Faker("city")
    postcode = "SW1A 1AA"
    start_date = datetime.date(2020, 1, 1)


class RelationshipTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelationshipType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"type-{n}")
    name = factory.Sequence(lambda n: f"Type {n}")


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    person = factory.SubFactory(PersonFactory)
    other = factory.SubFactory(PersonFactory)
    type = factory.LazyFunction(lambda: RelationshipType.objects.get(code="parent"))


class InvolvementRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvolvementRole
        django_get_or_create = ("code",)

    code = "allocated-social-worker"
    name = "Allocated social worker"
    is_allocation = True


class InvolvementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Involvement

    person = factory.SubFactory(PersonFactory)
    worker = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = factory.SubFactory(InvolvementRoleFactory)
    start_date = datetime.date(2025, 1, 1)


class AlertTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AlertType
        django_get_or_create = ("code",)

    code = "risk-to-staff"
    name = "Risk to staff"


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    person = factory.SubFactory(PersonFactory)
    type = factory.SubFactory(AlertTypeFactory)
    description = "Dog at the property; visit in pairs."


class NoteTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NoteType
        django_get_or_create = ("code",)

    code = "home-visit"
    name = "Home visit"


class CaseNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseNote

    person = factory.SubFactory(PersonFactory)
    type = factory.SubFactory(NoteTypeFactory)
    subject = factory.Faker("sentence", nb_words=5)
    body = factory.Faker("paragraph")
    event_at = factory.LazyFunction(timezone.now)
    author = factory.SubFactory(UserFactory)
    status = CaseNote.Status.FINAL
    finalised_at = factory.LazyFunction(timezone.now)


class ChronologyEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChronologyEntry

    person = factory.SubFactory(PersonFactory)
    event_date = datetime.date(2025, 6, 1)
    category = "Significant event"
    summary = factory.Faker("sentence")
    source = ChronologyEntry.Source.MANUAL


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    kind = Group.Kind.HOUSEHOLD
    name = factory.Sequence(lambda n: f"Household {n}")


class GroupMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMembership

    group = factory.SubFactory(GroupFactory)
    person = factory.SubFactory(PersonFactory)
