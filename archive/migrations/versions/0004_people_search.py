"""people search: staff records waiting for the index; saved searches

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 09:00:00

Staff records become documents of the search index beside their pages. `staff_index_queue`
holds the records to (re)index (rows added by archive.services.record_index on every change
of a record or its scope; the index consumer marks them done); every existing record is queued
once here. `saved_searches` keeps a user's named searches.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_index_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.Column('indexed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_index_queue', schema=None) as batch_op:
        batch_op.create_index('ix_staff_index_queue_staff_id', ['staff_id'], unique=False)
        batch_op.create_index('ix_staff_index_queue_indexed_at', ['indexed_at'], unique=False)
    # every record already here is indexed once (the index consumer, or `archive reindex`)
    op.execute(sa.text("INSERT INTO staff_index_queue (staff_id, queued_at) SELECT id, CURRENT_TIMESTAMP FROM staff"))

    op.create_table('saved_searches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'name', name='uq_saved_searches_user_name')
    )
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.create_index('ix_saved_searches_user_id', ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.drop_index('ix_saved_searches_user_id')
    op.drop_table('saved_searches')
    with op.batch_alter_table('staff_index_queue', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_index_queue_indexed_at')
        batch_op.drop_index('ix_staff_index_queue_staff_id')
    op.drop_table('staff_index_queue')
