"""page references: a page row names the original object and page it is read from

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-18 12:00:00

Issue 11 (merge / split / reorder). `pages.source_document_id` / `pages.source_page`: the
document whose stored original the page is read from, and the page index in that original.
Both NULL means "itself" (the row's own document, page `number`): existing rows are not
backfilled, they read exactly as before. `documents.part`: 0 for an upload, 1, 2 … for a part
split off a document (it shares the original's sha256), so the per-dossier uniqueness becomes
(staff_id, sha256, part) — an upload of the same bytes twice is still refused.
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_document_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source_page', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_pages_source_document', 'documents', ['source_document_id'], ['id'])
        batch_op.create_index('ix_pages_source_document_id', ['source_document_id'], unique=False)
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('part', sa.Integer(), nullable=False, server_default='0'))
        batch_op.drop_constraint('uq_documents_staff_sha256', type_='unique')
        batch_op.create_unique_constraint('uq_documents_staff_sha256_part', ['staff_id', 'sha256', 'part'])


def downgrade() -> None:
    # a dossier holding split parts cannot go back (two rows, one original): refused by the constraint
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint('uq_documents_staff_sha256_part', type_='unique')
        batch_op.create_unique_constraint('uq_documents_staff_sha256', ['staff_id', 'sha256'])
        batch_op.drop_column('part')
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_index('ix_pages_source_document_id')
        batch_op.drop_constraint('fk_pages_source_document', type_='foreignkey')
        batch_op.drop_column('source_page')
        batch_op.drop_column('source_document_id')
