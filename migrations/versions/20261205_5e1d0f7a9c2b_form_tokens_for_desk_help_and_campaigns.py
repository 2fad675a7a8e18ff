"""form tokens on desk-help entries and campaigns, so a double click saves once

Revision ID: 5e1d0f7a9c2b
Revises: 512f818263d5
Create Date: 2026-12-05 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1d0f7a9c2b'
down_revision = '512f818263d5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('desk_help_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_desk_help_entry_form_token'), ['form_token'])

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_campaign_form_token'), ['form_token'])


def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_campaign_form_token'), type_='unique')
        batch_op.drop_column('form_token')

    with op.batch_alter_table('desk_help_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_desk_help_entry_form_token'), type_='unique')
        batch_op.drop_column('form_token')
