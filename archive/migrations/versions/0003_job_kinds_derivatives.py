"""jobs of any kind (kind, target, payload, result); derivatives in the object store

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:20:00

A job was always "extract this document" (`document_id` non-null, kind "process"). Now a job
names its kind (archive.work's registry) and an optional target; existing rows become
kind "extract" with target ("document", id).
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_type', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('target_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('payload', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('result', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('finished_at', sa.DateTime(), nullable=True))
    op.execute(sa.text(
        "UPDATE jobs SET target_type = 'document', target_id = CAST(document_id AS VARCHAR(64)), payload = '{}', "
        "kind = CASE WHEN kind = 'process' THEN 'extract' ELSE kind END, "
        "finished_at = CASE WHEN state IN ('done', 'failed') THEN updated_at END"))
    # recreate: SQLite cannot drop a column with an (unnamed) foreign key in place; the copy
    # is made from the reflected table without the column and its constraint.
    with op.batch_alter_table('jobs', schema=None, recreate='auto') as batch_op:
        batch_op.drop_index('ix_jobs_document_id')
        if op.get_bind().dialect.name == 'postgresql':
            batch_op.drop_constraint('jobs_document_id_fkey', type_='foreignkey')
        batch_op.drop_column('document_id')
        batch_op.alter_column('payload', existing_type=sa.JSON(), nullable=False)
        batch_op.create_index('ix_jobs_kind', ['kind'], unique=False)
        batch_op.create_index('ix_jobs_target', ['target_type', 'target_id'], unique=False)

    op.create_table('derivatives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('source_sha256', sa.String(length=64), nullable=False),
    sa.Column('params', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'source_sha256', 'params', name='uq_derivatives_source_params')
    )
    with op.batch_alter_table('derivatives', schema=None) as batch_op:
        batch_op.create_index('ix_derivatives_source_sha256', ['source_sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('derivatives', schema=None) as batch_op:
        batch_op.drop_index('ix_derivatives_source_sha256')
    op.drop_table('derivatives')

    # the old table can only hold document jobs: the others have nowhere to go
    op.execute(sa.text("DELETE FROM jobs WHERE target_type IS DISTINCT FROM 'document'")
               if op.get_bind().dialect.name == 'postgresql'
               else sa.text("DELETE FROM jobs WHERE target_type IS NOT 'document'"))
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_id', sa.Integer(), nullable=True))
    op.execute(sa.text("UPDATE jobs SET document_id = CAST(target_id AS INTEGER), "
                       "kind = CASE WHEN kind = 'extract' THEN 'process' ELSE kind END"))
    with op.batch_alter_table('jobs', schema=None, recreate='auto') as batch_op:
        batch_op.drop_index('ix_jobs_target')
        batch_op.drop_index('ix_jobs_kind')
        batch_op.drop_column('finished_at')
        batch_op.drop_column('result')
        batch_op.drop_column('payload')
        batch_op.drop_column('target_id')
        batch_op.drop_column('target_type')
        batch_op.alter_column('document_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('jobs_document_id_fkey', 'documents', ['document_id'], ['id'])
        batch_op.create_index('ix_jobs_document_id', ['document_id'], unique=False)
