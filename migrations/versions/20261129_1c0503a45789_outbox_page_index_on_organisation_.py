"""Outbox page: the (organisation, created_at) index gains id, so the page's keyset
paging on (created_at, id), newest first, reads its 50 rows straight from the index
however long the outbox (a region's million rows) instead of sorting an organisation's
rows.

Revision ID: 1c0503a45789
Revises: 3d971fe8f754
Create Date: 2026-11-29 17:50:46.536320

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1c0503a45789'
down_revision = '3d971fe8f754'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_org_created'))
        batch_op.create_index('ix_outbox_message_org_created_id', ['organisation_id', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_org_created_id')
        batch_op.create_index(batch_op.f('ix_outbox_message_org_created'), ['organisation_id', 'created_at'], unique=False)
