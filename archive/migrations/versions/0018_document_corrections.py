"""document corrections: type, move, withdraw

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-17 12:00:00

documents.withdrawn_at/withdrawn_by/withdraw_reason (thu hồi), pages.rotation (xoay trang, 0/90/180/270)
and the `document_corrections` history table.
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('withdraw_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rotation', sa.Integer(), nullable=False, server_default='0'))
    op.create_table(
        'document_corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('before', sa.JSON(), nullable=False),
        sa.Column('after', sa.JSON(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('actor', sa.String(length=100), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('document_corrections', schema=None) as batch_op:
        batch_op.create_index('ix_document_corrections_document_id', ['document_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('document_corrections', schema=None) as batch_op:
        batch_op.drop_index('ix_document_corrections_document_id')
    op.drop_table('document_corrections')
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_column('rotation')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('withdraw_reason')
        batch_op.drop_column('withdrawn_by')
        batch_op.drop_column('withdrawn_at')
