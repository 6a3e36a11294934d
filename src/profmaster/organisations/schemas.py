"""API schemas of the reference data: organisations, their contact people, venues."""

# Field types built by functions (Text(500), Choice(...)) are Annotated types mypy cannot see as such.
# mypy: disable-error-code="valid-type"

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from profmaster.api.types import Choice, Id, LongText, Text, TimeZoneName

from .models import MOSCOW, Organisation

#: ИНН: 10 digits for an organisation, 12 for a person; empty when unknown.
Inn = Annotated[str, StringConstraints(strip_whitespace=True, max_length=12, pattern=r"^(\d{10}|\d{12})?$")]
Email = Text(254)
Phone = Text(32)


class OrganisationIn(Schema):
    kind: Choice(Organisation.Kind) = Organisation.Kind.SCHOOL.value
    name: Text(500, min_length=1) = Field(description="Полное наименование; уникально в пределах региона.")
    short_name: Text(200) = ""
    inn: Inn = ""
    region: Text(100, min_length=1) = MOSCOW
    address: Text(500) = ""
    email: Email = ""
    phone: Phone = ""


class OrganisationOut(Schema):
    id: int
    kind: Choice(Organisation.Kind)
    kind_label: str
    name: str
    short_name: str
    inn: str
    region: str
    address: str
    email: str
    phone: str

    @staticmethod
    def resolve_kind_label(obj: Organisation) -> str:
        return str(obj.get_kind_display())


class ContactIn(Schema):
    full_name: Text(300, min_length=1)
    position: Text(200) = ""
    phone: Phone = ""
    email: Email = ""


class ContactOut(Schema):
    id: int
    organisation_id: int
    full_name: str
    position: str
    phone: str
    email: str


class VenueIn(Schema):
    name: Text(300, min_length=1)
    address: Text(500, min_length=1)
    organisation_id: Id | None = None
    description: LongText = ""
    time_zone: TimeZoneName | Literal[""] = Field(
        "", description="Часовой пояс IANA площадки; пусто — пояс чемпионата, который на ней проводится.")


class VenueOut(Schema):
    id: int
    name: str
    address: str
    organisation_id: int | None
    description: str
    time_zone: str
