"""connectors and executions

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "connectors",
        sa.Column("type", sa.String(255), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("source", sa.String(1024), nullable=False),
        sa.Column("input_schema", sa.JSON, nullable=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "executions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("connector_type", sa.String(255), nullable=False),
        sa.Column("job_key", sa.BigInteger, nullable=True),
        sa.Column("process_instance_key", sa.BigInteger, nullable=True),
        sa.Column("bpmn_process_id", sa.String(255), nullable=True),
        sa.Column("element_id", sa.String(255), nullable=True),
        sa.Column("tenant_id", sa.String(255), nullable=True),
        sa.Column("element_template_id", sa.String(255), nullable=True),
        sa.Column("element_template_version", sa.String(64), nullable=True),
        sa.Column("command", sa.String(16), nullable=False),
        sa.Column("error_code", sa.String(255), nullable=True),
        sa.Column("error_message", sa.Text, nullable=True),
        sa.Column("retries_before", sa.Integer, nullable=True),
        sa.Column("retries_after", sa.Integer, nullable=True),
        sa.Column("backoff_ms", sa.BigInteger, nullable=True),
        sa.Column("input", sa.JSON, nullable=True),
        sa.Column("output", sa.JSON, nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Float, nullable=False),
        sa.Column("worker", sa.String(255), nullable=True),
    )
    op.create_index("ix_executions_started_at", "executions", ["started_at"])
    op.create_index("ix_executions_type_started", "executions", ["connector_type", "started_at"])
    op.create_index("ix_executions_command_started", "executions", ["command", "started_at"])
    op.create_index("ix_executions_process_instance", "executions", ["process_instance_key"])


def downgrade() -> None:
    op.drop_index("ix_executions_process_instance", table_name="executions")
    op.drop_index("ix_executions_command_started", table_name="executions")
    op.drop_index("ix_executions_type_started", table_name="executions")
    op.drop_index("ix_executions_started_at", table_name="executions")
    op.drop_table("executions")
    op.drop_table("connectors")
