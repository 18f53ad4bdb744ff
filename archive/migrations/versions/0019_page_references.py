"""page references: a page row names the original object and page it is read from

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-18 12:00:00

Placeholder for issue 11 (merge / split / reorder): filled by the page-reference work.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
