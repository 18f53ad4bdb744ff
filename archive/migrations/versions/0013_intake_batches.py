"""bulk intake batches and cover sheets

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-16 14:00:00

`intake_batches` and `intake_batch_files` (archive/models/batches.py): a batch of scans from a
folder, a zip or a unit's consume folder, and each of its files with its state.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('intake_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_by_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('source_sha256', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('intake_batches', schema=None) as batch_op:
        batch_op.create_index('ix_intake_batches_unit_code', ['unit_code'], unique=False)
        batch_op.create_index('ix_intake_batches_state', ['state'], unique=False)
        batch_op.create_index('ix_intake_batches_created_by_user_id', ['created_by_user_id'], unique=False)

    op.create_table('intake_batch_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=1000), nullable=False),
    sa.Column('staff_code', sa.String(length=64), nullable=True),
    sa.Column('document_type', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('member', sa.String(length=1000), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('problem', sa.Text(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('pages', sa.String(length=200), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['intake_batches.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('intake_batch_files', schema=None) as batch_op:
        batch_op.create_index('ix_intake_batch_files_batch_id', ['batch_id'], unique=False)
        batch_op.create_index('ix_intake_batch_files_state', ['state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('intake_batch_files', schema=None) as batch_op:
        batch_op.drop_index('ix_intake_batch_files_state')
        batch_op.drop_index('ix_intake_batch_files_batch_id')
    op.drop_table('intake_batch_files')
    with op.batch_alter_table('intake_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_intake_batches_created_by_user_id')
        batch_op.drop_index('ix_intake_batches_state')
        batch_op.drop_index('ix_intake_batches_unit_code')
    op.drop_table('intake_batches')
