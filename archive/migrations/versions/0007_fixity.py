"""fixity checks

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-15 09:00:00

`fixity_objects`: one row per stored object (originals, derivatives, audit anchors) with its
next check and integrity state; `fixity_events`: every check made (archive/models/fixity.py).
Existing objects are found by the first fixity pass (it lists the tables and the store), so
nothing is copied here.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fixity_objects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('namespace', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('last_checked_at', sa.DateTime(), nullable=True),
    sa.Column('last_result', sa.String(length=16), nullable=True),
    sa.Column('next_due_at', sa.DateTime(), nullable=False),
    sa.Column('damaged_since', sa.DateTime(), nullable=True),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('namespace', 'key', name='uq_fixity_objects_namespace_key')
    )
    with op.batch_alter_table('fixity_objects', schema=None) as batch_op:
        batch_op.create_index('ix_fixity_objects_key', ['key'], unique=False)
        batch_op.create_index('ix_fixity_objects_next_due_at', ['next_due_at'], unique=False)
        batch_op.create_index('ix_fixity_objects_damaged_since', ['damaged_since'], unique=False)

    op.create_table('fixity_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('bytes_read', sa.BigInteger(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['object_id'], ['fixity_objects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('fixity_events', schema=None) as batch_op:
        batch_op.create_index('ix_fixity_events_object_id', ['object_id'], unique=False)
        batch_op.create_index('ix_fixity_events_at', ['at'], unique=False)
        batch_op.create_index('ix_fixity_events_result', ['result'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('fixity_events', schema=None) as batch_op:
        batch_op.drop_index('ix_fixity_events_result')
        batch_op.drop_index('ix_fixity_events_at')
        batch_op.drop_index('ix_fixity_events_object_id')
    op.drop_table('fixity_events')
    with op.batch_alter_table('fixity_objects', schema=None) as batch_op:
        batch_op.drop_index('ix_fixity_objects_damaged_since')
        batch_op.drop_index('ix_fixity_objects_next_due_at')
        batch_op.drop_index('ix_fixity_objects_key')
    op.drop_table('fixity_objects')
