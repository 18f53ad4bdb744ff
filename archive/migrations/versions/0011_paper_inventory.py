"""dossier components checklist, paper inventory and loans

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-16 12:00:00

`dossier_components`: thành phần hồ sơ (seeded from archive.services.completeness_seed, each row
with its source). `storage_boxes` / `dossier_locations`: kho, giá, hộp, số thứ tự and paper page
count of each paper dossier. `dossier_loans`: mượn / trả hồ sơ giấy (one open loan per dossier,
held by the unique `open_staff_id`).
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    components = op.create_table('dossier_components',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('document_types', sa.JSON(), nullable=False),
    sa.Column('statuses', sa.JSON(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('storage_boxes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=120), nullable=False),
    sa.Column('kho', sa.String(length=32), nullable=False),
    sa.Column('gia', sa.String(length=32), nullable=False),
    sa.Column('hop', sa.String(length=32), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code'),
    sa.UniqueConstraint('kho', 'gia', 'hop', name='uq_storage_boxes_place')
    )
    with op.batch_alter_table('storage_boxes', schema=None) as batch_op:
        batch_op.create_index('ix_storage_boxes_unit_id', ['unit_id'], unique=False)
    op.create_table('dossier_locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('box_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('paper_pages', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id']),
    sa.ForeignKeyConstraint(['box_id'], ['storage_boxes.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('staff_id'),
    sa.UniqueConstraint('box_id', 'position', name='uq_dossier_locations_box_position')
    )
    with op.batch_alter_table('dossier_locations', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_locations_box_id', ['box_id'], unique=False)
    op.create_table('dossier_loans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('open_staff_id', sa.Integer(), nullable=True),
    sa.Column('borrower_name', sa.String(length=200), nullable=False),
    sa.Column('borrower_unit', sa.String(length=200), nullable=False),
    sa.Column('borrower_user', sa.String(length=100), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('lent_on', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('lent_by', sa.String(length=100), nullable=False),
    sa.Column('lent_at', sa.DateTime(), nullable=False),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.Column('returned_by', sa.String(length=100), nullable=True),
    sa.Column('return_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('open_staff_id')
    )
    with op.batch_alter_table('dossier_loans', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_loans_staff_id', ['staff_id'], unique=False)
        batch_op.create_index('ix_dossier_loans_due_date', ['due_date'], unique=False)

    from archive.services.completeness_seed import SEED_COMPONENTS

    now = sa.func.current_timestamp()
    for position, row in enumerate(SEED_COMPONENTS, 1):
        op.execute(components.insert().values(
            code=row.code, name=row.name, document_types=list(row.document_types), statuses=list(row.statuses),
            categories=list(row.categories), required=row.required, position=position, active=True,
            source=row.source, updated_by="migration:0011", updated_at=now))


def downgrade() -> None:
    with op.batch_alter_table('dossier_loans', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_loans_due_date')
        batch_op.drop_index('ix_dossier_loans_staff_id')
    op.drop_table('dossier_loans')
    with op.batch_alter_table('dossier_locations', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_locations_box_id')
    op.drop_table('dossier_locations')
    with op.batch_alter_table('storage_boxes', schema=None) as batch_op:
        batch_op.drop_index('ix_storage_boxes_unit_id')
    op.drop_table('storage_boxes')
    op.drop_table('dossier_components')
