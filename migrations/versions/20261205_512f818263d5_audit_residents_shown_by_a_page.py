"""Audit: which residents a page showed. A list page (search, day view, queue, outbox...)
is one audit event with no single subject, the page's path in ``audit_event.page``, and
its residents in ``audit_event_resident`` (indexed by resident, to answer "who saw this
resident"). A downgrade removes those list events: the old schema cannot hold them.

Revision ID: 512f818263d5
Revises: 53d735beb84c
Create Date: 2026-12-05 04:53:51.184946

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '512f818263d5'
down_revision = '53d735beb84c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_event_resident',
    sa.Column('audit_event_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['audit_event_id'], ['audit_event.id'], name=op.f('fk_audit_event_resident_audit_event_id_audit_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('audit_event_id', 'resident_id', name=op.f('pk_audit_event_resident'))
    )
    with op.batch_alter_table('audit_event_resident', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_resident_resident', ['resident_id', 'audit_event_id'], unique=False)

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('page', sa.String(length=200), nullable=True))
        batch_op.alter_column('subject_id',
               existing_type=sa.INTEGER(),
               nullable=True)



def downgrade():
    op.execute("DELETE FROM audit_event WHERE subject_id IS NULL")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('subject_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('page')

    with op.batch_alter_table('audit_event_resident', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_resident_resident')

    op.drop_table('audit_event_resident')
