"""SQLAlchemy tables of the store. Alembic migrations in ``migrations/`` create them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Clipped(TypeDecorator):
    """A ``String(length)`` for text taken from reports (names, phrases, dates as written):
    longer values are cut to the length, which SQLite ignores but PostgreSQL enforces, so
    one odd report cannot fail its transaction. The same cut applies to values compared
    with the column, so lookups still match."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is not None and len(value) > self.impl.length:
            return value[: self.impl.length]
        return value


class Base(DeclarativeBase):
    pass


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    title: Mapped[str | None] = mapped_column(Text)
    date: Mapped[date | None] = mapped_column(Date, index=True)
    date_origin: Mapped[str] = mapped_column(String(10), default="none")
    source: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    duplicate_of: Mapped[str | None] = mapped_column(ForeignKey("documents.id"))
    extractor: Mapped[str | None] = mapped_column(Clipped(100))
    ingested_at: Mapped[datetime] = mapped_column(DateTime)


class EntityRow(Base):
    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical: Mapped[str] = mapped_column(Clipped(300), index=True)
    type: Mapped[str] = mapped_column(String(20), index=True)
    geonameid: Mapped[int | None] = mapped_column(Integer, index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    country_code: Mapped[str | None] = mapped_column(String(2))
    admin1: Mapped[str | None] = mapped_column(String(20))
    feature: Mapped[str | None] = mapped_column(String(10))
    geo_precision: Mapped[int | None] = mapped_column(Integer)

    aliases: Mapped[list[AliasRow]] = relationship(back_populates="entity")


class AliasRow(Base):
    __tablename__ = "aliases"
    __table_args__ = (UniqueConstraint("entity_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    name: Mapped[str] = mapped_column(Clipped(300))
    key: Mapped[str] = mapped_column(Clipped(300), index=True)

    entity: Mapped[EntityRow] = relationship(back_populates="aliases")


class EntityKeyRow(Base):
    """Blocking keys of an entity's names (``conflictmap.resolve.blocking_keys``): entities
    sharing a key are compared with ``same_actor`` to merge spelling variants."""

    __tablename__ = "entity_keys"
    __table_args__ = (UniqueConstraint("entity_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    key: Mapped[str] = mapped_column(Clipped(300), index=True)


class DecisionRow(Base):
    """An analyst's merge or split: the audit trail of manual entity resolution."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # merge | split
    entity_id: Mapped[int] = mapped_column(Integer)  # the entity kept (merge) or split
    other_id: Mapped[int] = mapped_column(Integer)  # absorbed (merge) or created (split)
    names: Mapped[str] = mapped_column(Text)  # names moved, "; "-joined
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class IncidentSplitRow(Base):
    """An analyst's split of a wrong incident merge: this event stands alone."""

    __tablename__ = "incident_splits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class MentionRow(Base):
    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Clipped(300))
    type: Mapped[str | None] = mapped_column(String(20))  # as the report typed the entity
    form: Mapped[str | None] = mapped_column(String(10))  # name, demonym or metonym


class EvidenceRow(Base):
    """One sentence of one document supporting a relation or an event."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    sentence: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    attribution_kind: Mapped[str] = mapped_column(String(30))
    attribution_phrase: Mapped[str | None] = mapped_column(Text)
    hedged: Mapped[bool] = mapped_column(Boolean, default=False)
    negated: Mapped[bool] = mapped_column(Boolean, default=False)
    reliability: Mapped[str | None] = mapped_column(String(1))  # Admiralty A-F
    credibility: Mapped[int | None] = mapped_column(Integer)  # Admiralty 1-6


class RelationRow(Base):
    """A relation as one document states it: the claim, with its own validity interval."""

    __tablename__ = "relations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    predicate: Mapped[str] = mapped_column(String(30), index=True)
    object_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_from_text: Mapped[str | None] = mapped_column(Clipped(100))
    valid_from_precision: Mapped[str | None] = mapped_column(String(10))
    valid_to: Mapped[date | None] = mapped_column(Date)
    valid_to_text: Mapped[str | None] = mapped_column(Clipped(100))
    valid_to_precision: Mapped[str | None] = mapped_column(String(10))
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)

    evidence: Mapped[EvidenceRow] = relationship()
    subject: Mapped[EntityRow] = relationship(foreign_keys=[subject_id])
    object: Mapped[EntityRow] = relationship(foreign_keys=[object_id])


class EventRow(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(40), index=True)
    sub_event_type: Mapped[str] = mapped_column(String(60), index=True)
    plover: Mapped[str | None] = mapped_column(String(20))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"), index=True)
    date_start: Mapped[date | None] = mapped_column(Date, index=True)
    date_end: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[str | None] = mapped_column(String(10))
    date_text: Mapped[str | None] = mapped_column(Clipped(100))
    fatalities: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[str | None] = mapped_column(Clipped(100))
    trigger: Mapped[str | None] = mapped_column(Clipped(100))
    actor_phrase: Mapped[str | None] = mapped_column(Clipped(200))  # an unnamed actor
    target_phrase: Mapped[str | None] = mapped_column(Clipped(200))
    inter1: Mapped[int | None] = mapped_column(Integer)  # ACLED interaction codes
    inter2: Mapped[int | None] = mapped_column(Integer)
    historical: Mapped[bool | None] = mapped_column(Boolean)  # recalled background
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))

    evidence: Mapped[EvidenceRow] = relationship()
    location: Mapped[EntityRow | None] = relationship()
    participants: Mapped[list[ParticipantRow]] = relationship(back_populates="event")


class ParticipantRow(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("event_id", "entity_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))

    event: Mapped[EventRow] = relationship(back_populates="participants")
    entity: Mapped[EntityRow] = relationship()
