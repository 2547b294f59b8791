"""Base schema: advisor decisions (with revisions, API key identity), prediction log, outcomes.

A database made by the previous service (``advisor_decisions`` created without migrations) is
brought to this schema in place: its rows are kept and numbered per client in time order.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _decision_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.BigInteger, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("advisor", sa.String(200), nullable=False),
        sa.Column("api_key_id", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision_of", sa.Integer, sa.ForeignKey("advisor_decisions.id"), nullable=True),
        sa.Column("model_probability", sa.Float, nullable=True),
        sa.Column("model_score", sa.Float, nullable=True),
        sa.Column("model_decision", sa.String(16), nullable=True),
        sa.Column("model_version", sa.String(100), nullable=True),
    ]


def _upgrade_legacy_decisions(existing: set[str]) -> None:
    with op.batch_alter_table("advisor_decisions") as batch:
        if "sequence" not in existing:
            batch.add_column(sa.Column("sequence", sa.Integer, nullable=True))
        if "api_key_id" not in existing:
            batch.add_column(sa.Column("api_key_id", sa.String(40), nullable=True))
        if "revision_of" not in existing:
            batch.add_column(sa.Column("revision_of", sa.Integer, nullable=True))
    op.execute(
        "UPDATE advisor_decisions SET sequence = (SELECT COUNT(*) FROM advisor_decisions AS e "
        "WHERE e.client_id = advisor_decisions.client_id AND e.id <= advisor_decisions.id)"
    )
    with op.batch_alter_table("advisor_decisions") as batch:
        batch.alter_column("sequence", existing_type=sa.Integer, nullable=False)
        batch.create_unique_constraint("uq_advisor_decisions_client_sequence", ["client_id", "sequence"])
        batch.create_foreign_key("fk_advisor_decisions_revision_of", "advisor_decisions",
                                 ["revision_of"], ["id"])
    indexes = {ix["name"] for ix in sa.inspect(op.get_bind()).get_indexes("advisor_decisions")}
    if "ix_advisor_decisions_created_at" not in indexes:
        op.create_index("ix_advisor_decisions_created_at", "advisor_decisions", ["created_at"])


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if inspector.has_table("advisor_decisions"):
        _upgrade_legacy_decisions({c["name"] for c in inspector.get_columns("advisor_decisions")})
    else:
        op.create_table(
            "advisor_decisions", *_decision_columns(),
            sa.UniqueConstraint("client_id", "sequence", name="uq_advisor_decisions_client_sequence"),
        )
        op.create_index("ix_advisor_decisions_client_id", "advisor_decisions", ["client_id"])
        op.create_index("ix_advisor_decisions_created_at", "advisor_decisions", ["created_at"])

    op.create_table(
        "prediction_log",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("endpoint", sa.String(32), nullable=False),
        sa.Column("client_id", sa.BigInteger, nullable=True),
        sa.Column("probability", sa.Float, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("model_version", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False, server_default="champion"),
        sa.Column("features", sa.Text, nullable=True),
        sa.Column("features_source", sa.String(16), nullable=False),
        sa.UniqueConstraint("record_id", name="uq_prediction_log_record_id"),
    )
    op.create_index("ix_prediction_log_logged_at", "prediction_log", ["logged_at"])
    op.create_index("ix_prediction_log_client_id", "prediction_log", ["client_id"])

    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.BigInteger, nullable=False),
        sa.Column("defaulted", sa.Boolean, nullable=False),
        sa.Column("observed_on", sa.Date, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.UniqueConstraint("client_id", "observed_on", name="uq_outcomes_client_observed"),
    )
    op.create_index("ix_outcomes_client_id", "outcomes", ["client_id"])


def downgrade() -> None:
    op.drop_table("outcomes")
    op.drop_table("prediction_log")
    op.drop_table("advisor_decisions")
