"""office calendar: the admin's table of official swap days

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-15 10:00:00

`calendar_days` holds dates the government announced as days off or make-up working days
(ngày nghỉ bù / làm bù) for years the `holidays` package does not know yet; deadlines in
working days (archive.working_days) read it on top of the national calendar.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('decision_ref', sa.String(length=100), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )


def downgrade() -> None:
    op.drop_table('calendar_days')
