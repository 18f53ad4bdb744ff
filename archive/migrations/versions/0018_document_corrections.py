"""document corrections: type, move, withdraw

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-17 12:00:00

(placeholder: filled by the work that adds these tables)
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
