"""provider status: whether the SMS provider answers, for outages

Revision ID: 9d4b2f6e1a37
Revises: 7c3e9a1d5b20
Create Date: 2026-12-05 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d4b2f6e1a37'
down_revision = '7c3e9a1d5b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_provider_status',
        sa.Column('provider', sa.String(length=20), nullable=False),
        sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('provider', name=op.f('pk_outbox_provider_status')),
    )


def downgrade():
    op.drop_table('outbox_provider_status')
