"""sampling audit campaigns and log-review alerts

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-16 13:00:00

`audit_campaigns` (đợt kiểm tra: unit subtree, seed, size, the population frozen at opening),
`audit_campaign_items` (the sampled dossiers and their checklist), `log_alerts` (alerts of the
daily log review, de-duplicated by key). See archive/models/campaigns.py.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('size_kind', sa.String(length=8), nullable=False),
    sa.Column('size_value', sa.Integer(), nullable=False),
    sa.Column('population', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('opened_by', sa.String(length=100), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_campaigns', schema=None) as batch_op:
        batch_op.create_index('ix_audit_campaigns_unit_id', ['unit_id'], unique=False)
        batch_op.create_index('ix_audit_campaigns_state', ['state'], unique=False)

    op.create_table('audit_campaign_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('staff_code', sa.String(length=32), nullable=False),
    sa.Column('unit_code', sa.String(length=32), nullable=False),
    sa.Column('pages_match', sa.String(length=4), nullable=True),
    sa.Column('fields_match', sa.String(length=4), nullable=True),
    sa.Column('findings_reviewed', sa.String(length=4), nullable=True),
    sa.Column('components_complete', sa.String(length=4), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('checked_by', sa.String(length=100), nullable=True),
    sa.Column('checked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['audit_campaigns.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'staff_code', name='uq_campaign_item_staff')
    )
    with op.batch_alter_table('audit_campaign_items', schema=None) as batch_op:
        batch_op.create_index('ix_audit_campaign_items_campaign_id', ['campaign_id'], unique=False)
        batch_op.create_index('ix_audit_campaign_items_staff_id', ['staff_id'], unique=False)

    op.create_table('log_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('first_at', sa.DateTime(), nullable=False),
    sa.Column('last_at', sa.DateTime(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key', name='uq_log_alerts_key')
    )
    with op.batch_alter_table('log_alerts', schema=None) as batch_op:
        batch_op.create_index('ix_log_alerts_kind', ['kind'], unique=False)
        batch_op.create_index('ix_log_alerts_subject', ['subject'], unique=False)
        batch_op.create_index('ix_log_alerts_recorded_at', ['recorded_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('log_alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_log_alerts_recorded_at')
        batch_op.drop_index('ix_log_alerts_subject')
        batch_op.drop_index('ix_log_alerts_kind')
    op.drop_table('log_alerts')
    with op.batch_alter_table('audit_campaign_items', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_campaign_items_staff_id')
        batch_op.drop_index('ix_audit_campaign_items_campaign_id')
    op.drop_table('audit_campaign_items')
    with op.batch_alter_table('audit_campaigns', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_campaigns_state')
        batch_op.drop_index('ix_audit_campaigns_unit_id')
    op.drop_table('audit_campaigns')
