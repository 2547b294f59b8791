"""The one schema of the service's durable state: advisors' decisions, the prediction log, outcomes.

Alembic migrations (``migrations/versions``) create and upgrade it on SQLite and PostgreSQL;
this module is what the code (and ``reports``) query. Described for readers in
``/work/notes/storage-schema.md`` and ``docs/deploy.md``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

#: SQLite only auto-increments an ``INTEGER PRIMARY KEY``; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

decisions = Table(
    "advisor_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", BigInteger, nullable=False),
    #: 1, 2, 3... per client: unique, so two writers racing on one client cannot both take the same place
    Column("sequence", Integer, nullable=False),
    Column("decision", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    #: the advisor logged in to the dashboard that sent the decision
    Column("advisor", String(200), nullable=False),
    #: which API key sent it: "key:" + first 12 hex digits of its SHA-256 ("no-auth" without keys)
    Column("api_key_id", String(40), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    #: the earlier decision this one contradicts and replaces (None: first decision or a confirmation)
    Column("revision_of", Integer, ForeignKey("advisor_decisions.id"), nullable=True),
    Column("model_probability", Float, nullable=True),
    Column("model_score", Float, nullable=True),
    Column("model_decision", String(16), nullable=True),
    Column("model_version", String(100), nullable=True),
    UniqueConstraint("client_id", "sequence", name="uq_advisor_decisions_client_sequence"),
    Index("ix_advisor_decisions_client_id", "client_id"),
    Index("ix_advisor_decisions_created_at", "created_at"),
)

predictions = Table(
    "prediction_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    #: UUID given when the request was scored: a record replayed from a spill file is written once
    Column("record_id", String(36), nullable=False),
    Column("logged_at", DateTime(timezone=True), nullable=False),
    Column("endpoint", String(32), nullable=False),
    Column("client_id", BigInteger, nullable=True),
    Column("probability", Float, nullable=False),
    Column("score", Float, nullable=False),
    Column("decision", String(16), nullable=False),
    Column("model_version", String(100), nullable=False),
    #: "champion" answers; "challenger" is a shadow score of the same request
    Column("role", String(16), nullable=False, server_default="champion"),
    #: JSON object {feature: value} (model input or the fields sent); NULL when "store"
    Column("features", Text, nullable=True),
    #: "model_input" | "request" | "store" (the bundle's stored row for client_id at model_version) | "batch"
    #: (the fields sent are row ``batch_row`` of the columns of ``prediction_batches.batch_id``)
    Column("features_source", String(16), nullable=False),
    Column("batch_id", String(36), nullable=True),
    Column("batch_row", Integer, nullable=True),
    UniqueConstraint("record_id", name="uq_prediction_log_record_id"),
    Index("ix_prediction_log_logged_at", "logged_at"),
    Index("ix_prediction_log_client_id", "client_id"),
)

#: A batch scored from columns, logged once as validated (``scoring.monitoring.log_rows``): its rows in
#: ``prediction_log`` point at it.
prediction_batches = Table(
    "prediction_batches",
    metadata,
    Column("batch_id", String(36), primary_key=True),
    Column("logged_at", DateTime(timezone=True), nullable=False),
    Column("n_rows", Integer, nullable=False),
    #: JSON object {field: [value or null per row]}
    Column("columns", Text, nullable=False),
)

outcomes = Table(
    "outcomes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", BigInteger, nullable=False),
    #: True: the loan defaulted; False: repaid / performing at observed_on
    Column("defaulted", Boolean, nullable=False),
    Column("observed_on", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    #: "api:<api_key_id>" or "csv:<file name>"
    Column("source", String(200), nullable=False),
    UniqueConstraint("client_id", "observed_on", name="uq_outcomes_client_observed"),
    Index("ix_outcomes_client_id", "client_id"),
)

#: Human oversight switch (model_service/oversight.py): one row per change, the latest one holds.
oversight_switch = Table(
    "oversight_switch",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("all_to_advisor", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("changed_by", String(64), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)
