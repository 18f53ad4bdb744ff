"""declare, verify, approve with signatures

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-16 16:00:00

Kê khai – xác thực – phê duyệt (TP.HCM QĐ 51/2024 Đ7.2) and the annual phiếu bổ sung lý lịch:
`declarations` (a person's pending change, never live until approved), their evidence and
signatures, the admin's `signing_certificates` (trusted CAs, users' certificates) and the
`annual_update_campaigns`.
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('annual_update_campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('profile', sa.String(length=32), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('article', sa.String(length=200), nullable=False),
    sa.Column('opened_by', sa.String(length=100), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('last_reminder_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('year', 'unit_code', name='uq_annual_update_year_unit')
    )
    op.create_table('declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('route', sa.String(length=16), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('baseline', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('sent_back_reason', sa.Text(), nullable=False),
    sa.Column('sent_back_by', sa.String(length=100), nullable=False),
    sa.Column('sent_back_step', sa.String(length=16), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('issued_sha256', sa.String(length=64), nullable=False),
    sa.Column('declared_by', sa.String(length=100), nullable=False),
    sa.Column('verified_by', sa.String(length=100), nullable=False),
    sa.Column('approved_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('declared_at', sa.DateTime(), nullable=True),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('applied_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['campaign_id'], ['annual_update_campaigns.id']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_declarations_staff_id', 'declarations', ['staff_id'])
    op.create_index('ix_declarations_state', 'declarations', ['state'])
    op.create_index('ix_declarations_campaign_id', 'declarations', ['campaign_id'])
    op.create_table('declaration_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=100), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_declaration_evidence_declaration_id', 'declaration_evidence', ['declaration_id'])
    op.create_table('declaration_signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('signer', sa.String(length=100), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['declaration_id'], ['declarations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_declaration_signatures_declaration_id', 'declaration_signatures', ['declaration_id'])
    op.create_table('signing_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('cert_pem', sa.Text(), nullable=False),
    sa.Column('p12_encrypted', sa.Text(), nullable=False),
    sa.Column('p12_path', sa.String(length=500), nullable=False),
    sa.Column('not_after', sa.DateTime(), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('fingerprint')
    )
    op.create_index('ix_signing_certificates_kind', 'signing_certificates', ['kind'])
    op.create_index('ix_signing_certificates_user_id', 'signing_certificates', ['user_id'])


def downgrade() -> None:
    op.drop_table('signing_certificates')
    op.drop_table('declaration_signatures')
    op.drop_table('declaration_evidence')
    op.drop_table('declarations')
    op.drop_table('annual_update_campaigns')
