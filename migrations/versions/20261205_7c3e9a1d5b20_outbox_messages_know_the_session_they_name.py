"""outbox messages know the session (time and place) their text names

Revision ID: 7c3e9a1d5b20
Revises: 5e1d0f7a9c2b
Create Date: 2026-12-05 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e9a1d5b20'
down_revision = '5e1d0f7a9c2b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_outbox_message_session_id_help_session'), 'help_session', ['session_id'], ['id'],
            ondelete='SET NULL',
        )
    # The messages already planned were written for the session their booking has now.
    op.execute(
        "UPDATE outbox_message SET session_id = "
        "(SELECT booking.session_id FROM booking WHERE booking.id = outbox_message.booking_id) "
        "WHERE booking_id IS NOT NULL"
    )
    # An invitation is about its campaign's session.
    op.execute(
        "UPDATE outbox_message SET session_id = "
        "(SELECT campaign_invitation.session_id FROM campaign_invitation "
        "WHERE campaign_invitation.message_id = outbox_message.id) "
        "WHERE booking_id IS NULL AND kind = 'campaign_invitation'"
    )


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_message_session_id_help_session'), type_='foreignkey')
        batch_op.drop_column('session_id')
