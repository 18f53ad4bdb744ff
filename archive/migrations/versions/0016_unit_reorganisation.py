"""units renamed, moved, merged, dissolved

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-17 10:00:00

`unit_events` keeps each reorganisation with its decision; a merged or dissolved unit is kept
(never deleted: assignments and audit entries name it) with `ended_at`, `end_kind` and its
`successor_id`.
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('old_name', sa.String(length=300), nullable=False),
    sa.Column('new_name', sa.String(length=300), nullable=False),
    sa.Column('old_parent_id', sa.Integer(), nullable=True),
    sa.Column('new_parent_id', sa.Integer(), nullable=True),
    sa.Column('successor_id', sa.Integer(), nullable=True),
    sa.Column('decision_ref', sa.String(length=100), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('effective_date', sa.Date(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
    sa.ForeignKeyConstraint(['old_parent_id'], ['units.id']),
    sa.ForeignKeyConstraint(['new_parent_id'], ['units.id']),
    sa.ForeignKeyConstraint(['successor_id'], ['units.id']),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('unit_events', schema=None) as batch_op:
        batch_op.create_index('ix_unit_events_unit_id', ['unit_id'], unique=False)
        batch_op.create_index('ix_unit_events_successor_id', ['successor_id'], unique=False)
    # Plain ADD/DROP COLUMN, no constraint: SQLite would rebuild `units` for a foreign key, and
    # DROP TABLE units fails while every other table references it (foreign_keys=ON). The service
    # only ever sets successor_id to a unit it has just loaded.
    op.add_column('units', sa.Column('ended_at', sa.DateTime(), nullable=True))
    op.add_column('units', sa.Column('end_kind', sa.String(length=16), nullable=True))
    op.add_column('units', sa.Column('successor_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    for column in ('successor_id', 'end_kind', 'ended_at'):
        op.drop_column('units', column)  # SQLite ≥ 3.35 drops a plain column in place
    with op.batch_alter_table('unit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_events_successor_id')
        batch_op.drop_index('ix_unit_events_unit_id')
    op.drop_table('unit_events')
