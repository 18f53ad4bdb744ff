"""OCR review: pages that need a person

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-17 11:00:00

Per-page review flags on `pages` (issue 11, item 3): `needs_review` and the Vietnamese
`review_reason` ("Trang 2: gần như trắng"), the `osd_rotation` orientation detection applied (apart from
0018's `rotation`, a person's correction), and
who marked the page reviewed when (`reviewed_at`, `reviewed_by`). No new table.
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_review', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('review_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('osd_rotation', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by', sa.String(length=100), nullable=True))
        batch_op.create_index('ix_pages_needs_review', ['needs_review'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_index('ix_pages_needs_review')
        batch_op.drop_column('reviewed_by')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('osd_rotation')
        batch_op.drop_column('review_reason')
        batch_op.drop_column('needs_review')
