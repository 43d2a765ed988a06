"""FEEL warnings of an execution's result and error expressions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("executions", sa.Column("warnings", sa.JSON, nullable=True))


def downgrade() -> None:
    op.drop_column("executions", "warnings")
