"""inbound connectors: definitions, elements, generation; inbound columns on executions

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_definitions",
        sa.Column("process_definition_key", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("bpmn_process_id", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("tenant_id", sa.String(255), nullable=False),
        sa.Column("resource_name", sa.String(1024), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("has_subscriptions", sa.Boolean, nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_inbound_definitions_process", "inbound_definitions", ["tenant_id", "bpmn_process_id"]
    )
    op.create_table(
        "inbound_elements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "process_definition_key",
            sa.BigInteger,
            sa.ForeignKey("inbound_definitions.process_definition_key", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("element_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("connector_type", sa.String(255), nullable=False),
        sa.Column("element_name", sa.String(1024), nullable=True),
        sa.Column("message_name", sa.String(1024), nullable=True),
        sa.Column("attached_to", sa.String(255), nullable=True),
        sa.Column("template_id", sa.String(255), nullable=True),
        sa.Column("template_version", sa.String(64), nullable=True),
        sa.Column("webhook_path", sa.String(255), nullable=True),
        sa.Column("properties", sa.JSON, nullable=False),
        sa.UniqueConstraint("process_definition_key", "element_id", name="uq_inbound_element"),
    )
    op.create_table(
        "inbound_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("generation", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(
        sa.table("inbound_state", sa.column("id", sa.Integer), sa.column("generation")),
        [{"id": 1, "generation": 0}],
    )
    with op.batch_alter_table("executions") as batch:
        batch.add_column(
            sa.Column("direction", sa.String(16), nullable=False, server_default="outbound")
        )
        batch.add_column(sa.Column("http_status", sa.Integer, nullable=True))
        batch.add_column(sa.Column("inbound_context", sa.String(255), nullable=True))
        batch.add_column(sa.Column("process_definition_key", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("process_definition_version", sa.Integer, nullable=True))
    op.create_index("ix_executions_direction_started", "executions", ["direction", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_executions_direction_started", table_name="executions")
    with op.batch_alter_table("executions") as batch:
        batch.drop_column("process_definition_version")
        batch.drop_column("process_definition_key")
        batch.drop_column("inbound_context")
        batch.drop_column("http_status")
        batch.drop_column("direction")
    op.drop_table("inbound_state")
    op.drop_table("inbound_elements")
    op.drop_index("ix_inbound_definitions_process", table_name="inbound_definitions")
    op.drop_table("inbound_definitions")
