"""Excel import of staff records

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-16 15:00:00

Column-mapping templates, import runs (dry-run plan, then counts) and, per imported record,
the hashes of the values the last import wrote (to tell a field edited in the system since).
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_import_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('staff_import_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('template', sa.String(length=100), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('applied_at', sa.DateTime(), nullable=True),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('created_count', sa.Integer(), nullable=False),
    sa.Column('updated_count', sa.Integer(), nullable=False),
    sa.Column('unchanged_count', sa.Integer(), nullable=False),
    sa.Column('conflict_count', sa.Integer(), nullable=False),
    sa.Column('problem_count', sa.Integer(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_staff_import_runs_file_sha256', 'staff_import_runs', ['file_sha256'])
    op.create_table('staff_import_fingerprints',
    sa.Column('staff_code', sa.String(length=32), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['staff_import_runs.id']),
    sa.PrimaryKeyConstraint('staff_code')
    )
    op.create_index('ix_staff_import_fingerprints_run_id', 'staff_import_fingerprints', ['run_id'])


def downgrade() -> None:
    op.drop_index('ix_staff_import_fingerprints_run_id', table_name='staff_import_fingerprints')
    op.drop_table('staff_import_fingerprints')
    op.drop_index('ix_staff_import_runs_file_sha256', table_name='staff_import_runs')
    op.drop_table('staff_import_runs')
    op.drop_table('staff_import_templates')
