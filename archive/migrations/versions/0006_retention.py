"""retention schedule, legal holds, dispositions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-15 09:00:00

`retention_rules`: thời hạn bảo quản per document type (vĩnh viễn, or N years from an event),
seeded from archive.services.retention_seed (every seeded type vĩnh viễn, with its source).
`legal_holds`: phong tỏa of a document or a dossier. `disposition_proposals` / `_items`: lists of
documents whose term ended, approved by two people under a decision; `disposition_records`:
what was destroyed (kept forever).
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    rules = op.create_table('retention_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_type', sa.String(length=64), nullable=False),
    sa.Column('permanent', sa.Boolean(), nullable=False),
    sa.Column('years', sa.Integer(), nullable=True),
    sa.Column('counted_from', sa.String(length=32), nullable=False),
    sa.Column('legal_min_permanent', sa.Boolean(), nullable=False),
    sa.Column('legal_min_years', sa.Integer(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('decision_ref', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_type')
    )
    op.create_table('legal_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('placed_by', sa.String(length=100), nullable=False),
    sa.Column('placed_at', sa.DateTime(), nullable=False),
    sa.Column('released_by', sa.String(length=100), nullable=True),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.Column('release_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id']),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.create_index('ix_legal_holds_target', ['target_type', 'target_id'], unique=False)
        batch_op.create_index('ix_legal_holds_staff_id', ['staff_id'], unique=False)
    op.create_table('disposition_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('decision_number', sa.String(length=100), nullable=True),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('first_approver', sa.String(length=100), nullable=True),
    sa.Column('first_approved_at', sa.DateTime(), nullable=True),
    sa.Column('second_approver', sa.String(length=100), nullable=True),
    sa.Column('second_approved_at', sa.DateTime(), nullable=True),
    sa.Column('executed_at', sa.DateTime(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('disposition_proposals', schema=None) as batch_op:
        batch_op.create_index('ix_disposition_proposals_state', ['state'], unique=False)
    op.create_table('disposition_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('document_type', sa.String(length=64), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('term_ended', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['proposal_id'], ['disposition_proposals.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('disposition_items', schema=None) as batch_op:
        batch_op.create_index('ix_disposition_items_proposal_id', ['proposal_id'], unique=False)
        batch_op.create_index('ix_disposition_items_document_id', ['document_id'], unique=False)
    op.create_table('disposition_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('staff_code', sa.String(length=32), nullable=False),
    sa.Column('document_type', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('document_created_at', sa.DateTime(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('decision_number', sa.String(length=100), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('approvers', sa.JSON(), nullable=False),
    sa.Column('object_deleted', sa.Boolean(), nullable=False),
    sa.Column('disposed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id']),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('disposition_records', schema=None) as batch_op:
        batch_op.create_index('ix_disposition_records_document_id', ['document_id'], unique=False)
        batch_op.create_index('ix_disposition_records_staff_id', ['staff_id'], unique=False)

    from archive.services.retention_seed import seed_rules

    now = sa.func.current_timestamp()
    for rule in seed_rules():
        op.execute(rules.insert().values(
            document_type=rule.document_type, permanent=rule.permanent, years=rule.years,
            counted_from=rule.counted_from, legal_min_permanent=rule.legal_min_permanent,
            legal_min_years=rule.legal_min_years, source=rule.source, decision_ref="", reason="",
            updated_by="migration:0006", updated_at=now))


def downgrade() -> None:
    with op.batch_alter_table('disposition_records', schema=None) as batch_op:
        batch_op.drop_index('ix_disposition_records_staff_id')
        batch_op.drop_index('ix_disposition_records_document_id')
    op.drop_table('disposition_records')
    with op.batch_alter_table('disposition_items', schema=None) as batch_op:
        batch_op.drop_index('ix_disposition_items_document_id')
        batch_op.drop_index('ix_disposition_items_proposal_id')
    op.drop_table('disposition_items')
    with op.batch_alter_table('disposition_proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_disposition_proposals_state')
    op.drop_table('disposition_proposals')
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.drop_index('ix_legal_holds_staff_id')
        batch_op.drop_index('ix_legal_holds_target')
    op.drop_table('legal_holds')
    op.drop_table('retention_rules')
