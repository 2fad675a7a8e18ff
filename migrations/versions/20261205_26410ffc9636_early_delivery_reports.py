"""early delivery reports: a status callback that came before the dispatcher recorded
the provider's id waits here until it is recorded (notifications/delivery.py), instead of
being dropped; Twilio never sends it again

Revision ID: 26410ffc9636
Revises: 9d4b2f6e1a37
Create Date: 2026-12-05 08:11:44.432532

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '26410ffc9636'
down_revision = '9d4b2f6e1a37'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('early_delivery_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_sid', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error_code', sa.String(length=12), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('sms', 'voice')", name=op.f('ck_early_delivery_report_sms_or_voice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_early_delivery_report'))
    )
    with op.batch_alter_table('early_delivery_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_early_delivery_report_provider_sid'), ['provider_sid'], unique=False)



def downgrade():
    with op.batch_alter_table('early_delivery_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_early_delivery_report_provider_sid'))

    op.drop_table('early_delivery_report')
