"""Columnar batches logged once: ``prediction_batches`` and the two columns pointing at it.

A batch scored from columns is logged as one ``prediction_batches`` row (its validated columns as
JSON); each of its rows in ``prediction_log`` has ``features_source`` "batch" and says where its
values are (``batch_id``, ``batch_row``). Rows logged before keep NULL there.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prediction_batches",
        sa.Column("batch_id", sa.String(36), primary_key=True),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("n_rows", sa.Integer, nullable=False),
        sa.Column("columns", sa.Text, nullable=False),
    )
    with op.batch_alter_table("prediction_log") as batch:
        batch.add_column(sa.Column("batch_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("batch_row", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("prediction_log") as batch:
        batch.drop_column("batch_row")
        batch.drop_column("batch_id")
    op.drop_table("prediction_batches")
