"""archival copies: the document description of TT 05/2025 on every document

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-15 09:00:00

`documents.description` holds the document metadata TT 05/2025/TT-BNV asks of a digitised
record (mã hồ sơ, số và ký hiệu, ngày tháng năm, cơ quan ban hành, trích yếu …) as one JSON
object, validated by archive.services.document_description; existing documents start empty.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('description')
