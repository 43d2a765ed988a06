"""SQLAlchemy models: the connector registry and the execution history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ConnectorRow(Base):
    __tablename__ = "connectors"

    type: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer, default=1)
    source: Mapped[str] = mapped_column(String(1024))
    input_schema: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ExecutionRow(Base):
    __tablename__ = "executions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    connector_type: Mapped[str] = mapped_column(String(255))
    job_key: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    process_instance_key: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    bpmn_process_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    element_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    tenant_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    element_template_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    element_template_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    command: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(255), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    retries_before: Mapped[int | None] = mapped_column(Integer, nullable=True)
    retries_after: Mapped[int | None] = mapped_column(Integer, nullable=True)
    backoff_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    input: Mapped[Any] = mapped_column(JSON, nullable=True)
    output: Mapped[Any] = mapped_column(JSON, nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[float] = mapped_column(Float)
    worker: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # Inbound executions (webhook requests, correlations): direction "inbound".
    direction: Mapped[str] = mapped_column(
        String(16), default="outbound", server_default="outbound"
    )
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    inbound_context: Mapped[str | None] = mapped_column(String(255), nullable=True)
    process_definition_key: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    process_definition_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # FEEL warnings of the result/error expressions: [{expression, type, message, span}].
    warnings: Mapped[Any] = mapped_column(JSON, nullable=True)

    __table_args__ = (
        Index("ix_executions_started_at", "started_at"),
        Index("ix_executions_direction_started", "direction", "started_at"),
        Index("ix_executions_type_started", "connector_type", "started_at"),
        Index("ix_executions_command_started", "command", "started_at"),
        Index("ix_executions_process_instance", "process_instance_key"),
    )


class ApiKeyRow(Base):
    """An API key: only the SHA-256 hash of the key is stored; ``prefix`` identifies it."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(16), default="cli")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class UiSessionRevocationRow(Base):
    """An admin UI session ended by signing out, kept until the session would have expired."""

    __tablename__ = "ui_session_revocations"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class InboundDefinitionRow(Base):
    """A deployed process definition version the inbound service knows."""

    __tablename__ = "inbound_definitions"

    process_definition_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    bpmn_process_id: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    tenant_id: Mapped[str] = mapped_column(String(255))
    resource_name: Mapped[str] = mapped_column(String(1024), default="")
    origin: Mapped[str] = mapped_column(String(16))
    has_subscriptions: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_inbound_definitions_process", "tenant_id", "bpmn_process_id"),)


class InboundElementRow(Base):
    """One inbound connector element of a definition, with its zeebe:properties."""

    __tablename__ = "inbound_elements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    process_definition_key: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("inbound_definitions.process_definition_key", ondelete="CASCADE")
    )
    element_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    connector_type: Mapped[str] = mapped_column(String(255))
    element_name: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    message_name: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    attached_to: Mapped[str | None] = mapped_column(String(255), nullable=True)
    template_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    template_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    webhook_path: Mapped[str | None] = mapped_column(String(255), nullable=True)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (
        UniqueConstraint("process_definition_key", "element_id", name="uq_inbound_element"),
    )


class InboundStateRow(Base):
    """One row: the generation, bumped by every change to the inbound registrations."""

    __tablename__ = "inbound_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger, default=0)


class ConnectorControlRow(Base):
    """An operator's control over a connector type's workers (pause), kept apart from the
    ``connectors`` rows that every start rewrites."""

    __tablename__ = "connector_controls"

    type: Mapped[str] = mapped_column(String(255), primary_key=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
