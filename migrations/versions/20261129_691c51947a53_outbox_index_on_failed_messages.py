"""Outbox: a partial index on failed messages by (organisation, updated_at), so the outbox
page's "failed this week" counts a few rows instead of reading an organisation's sent
messages (70 ms at a million outbox rows).

Revision ID: 691c51947a53
Revises: b6d17ca70e7a
Create Date: 2026-11-29 19:29:07.116935

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '691c51947a53'
down_revision = 'b6d17ca70e7a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_failed', ['organisation_id', 'updated_at'], unique=False, sqlite_where=sa.text("state = 'failed'"), postgresql_where=sa.text("state = 'failed'"))



def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_failed', sqlite_where=sa.text("state = 'failed'"), postgresql_where=sa.text("state = 'failed'"))

