"""warnings and notifications, periodic reports

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-16 10:00:00

(placeholder: filled by the work that adds these tables)
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
