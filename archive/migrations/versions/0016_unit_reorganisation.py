"""units renamed, moved, merged, dissolved

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-17 10:00:00

(placeholder: filled by the work that adds these tables)
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
