"""Form drafts: what a staff member sent after their session had ended, kept for half an
hour so it comes back filled in after signing in again (auth/drafts.py).

Revision ID: 53d735beb84c
Revises: 691c51947a53
Create Date: 2026-12-05 04:58:08.347530

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '53d735beb84c'
down_revision = '691c51947a53'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('browser', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_form_draft_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_draft'))
    )
    with op.batch_alter_table('form_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_draft_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_draft_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('form_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_draft_user_id'))
        batch_op.drop_index(batch_op.f('ix_form_draft_created_at'))

    op.drop_table('form_draft')
