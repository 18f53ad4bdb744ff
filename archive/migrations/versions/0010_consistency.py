"""paper-vs-record consistency findings

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-16 11:00:00

`consistency_checks` (one per sơ yếu lý lịch checked), `consistency_findings` (per field: both
values, state, evidence, resolution) and `correction_tasks` (record_wrong → a task for HR);
see archive/models/consistency.py.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('consistency_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=16), nullable=False),
    sa.Column('ran_at', sa.DateTime(), nullable=False),
    sa.Column('ran_by', sa.String(length=100), nullable=False),
    sa.Column('compared', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consistency_checks', schema=None) as batch_op:
        batch_op.create_index('ix_consistency_checks_staff_id', ['staff_id'], unique=False)
        batch_op.create_index('ix_consistency_checks_document_id', ['document_id'], unique=False)

    op.create_table('consistency_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('field_key', sa.String(length=32), nullable=False),
    sa.Column('record_field', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('record_value', sa.Text(), nullable=False),
    sa.Column('paper_value', sa.Text(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('box', sa.JSON(), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('resolution', sa.String(length=16), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=False),
    sa.Column('resolved_by', sa.String(length=100), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['check_id'], ['consistency_checks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consistency_findings', schema=None) as batch_op:
        batch_op.create_index('ix_consistency_findings_check_id', ['check_id'], unique=False)
        batch_op.create_index('ix_consistency_findings_staff_id', ['staff_id'], unique=False)
        batch_op.create_index('ix_consistency_findings_state', ['state'], unique=False)

    op.create_table('correction_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('field_key', sa.String(length=32), nullable=False),
    sa.Column('record_field', sa.String(length=64), nullable=False),
    sa.Column('record_value', sa.Text(), nullable=False),
    sa.Column('paper_value', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('done_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['finding_id'], ['consistency_findings.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('correction_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_correction_tasks_staff_id', ['staff_id'], unique=False)
        batch_op.create_index('ix_correction_tasks_state', ['state'], unique=False)


def downgrade() -> None:
    op.drop_table('correction_tasks')
    op.drop_table('consistency_findings')
    op.drop_table('consistency_checks')
