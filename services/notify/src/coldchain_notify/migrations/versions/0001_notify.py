"""Rules, channels, incidents, acknowledgements and the delivery log.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DDL = [
    """
CREATE TABLE notify.acknowledgements (
        alert_id UUID NOT NULL,
        operator_id TEXT NOT NULL,
        acknowledged_by TEXT NOT NULL,
        acknowledged_at TIMESTAMP WITH TIME ZONE NOT NULL,
        note TEXT DEFAULT '' NOT NULL,
        PRIMARY KEY (alert_id)
    )
    """,
    """
CREATE TABLE notify.channels (
        channel_id TEXT NOT NULL,
        operator_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        spec JSONB NOT NULL,
        secret TEXT,
        old_secret TEXT,
        old_secret_until TIMESTAMP WITH TIME ZONE,
        enabled BOOLEAN NOT NULL,
        consecutive_failures INTEGER DEFAULT '0' NOT NULL,
        disabled_reason TEXT,
        updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
        PRIMARY KEY (channel_id)
    )
    """,
    """
CREATE TABLE notify.incidents (
        alert_id UUID NOT NULL,
        rule_id TEXT NOT NULL,
        operator_id TEXT NOT NULL,
        vehicle_id TEXT NOT NULL,
        payload JSONB NOT NULL,
        step INTEGER NOT NULL,
        next_escalation_at TIMESTAMP WITH TIME ZONE,
        opened_at TIMESTAMP WITH TIME ZONE NOT NULL,
        resolved_at TIMESTAMP WITH TIME ZONE,
        PRIMARY KEY (alert_id, rule_id)
    )
    """,
    """
CREATE INDEX incidents_due ON notify.incidents (next_escalation_at) WHERE next_escalation_at IS NOT NULL
    """,
    """
CREATE TABLE notify.rules (
        rule_id TEXT NOT NULL,
        operator_id TEXT NOT NULL,
        spec JSONB NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
        PRIMARY KEY (rule_id)
    )
    """,
    """
CREATE TABLE notify.deliveries (
        delivery_id UUID NOT NULL,
        channel_id TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        event_id UUID NOT NULL,
        alert_id UUID,
        step INTEGER NOT NULL,
        payload JSONB NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER DEFAULT '0' NOT NULL,
        due_at TIMESTAMP WITH TIME ZONE NOT NULL,
        last_status_code INTEGER,
        last_error TEXT,
        created_at TIMESTAMP WITH TIME ZONE NOT NULL,
        delivered_at TIMESTAMP WITH TIME ZONE,
        PRIMARY KEY (delivery_id),
        CONSTRAINT deliveries_once UNIQUE (event_id, rule_id, channel_id, step),
        FOREIGN KEY(channel_id) REFERENCES notify.channels (channel_id) ON DELETE CASCADE
    )
    """,
    """
CREATE INDEX deliveries_by_alert ON notify.deliveries (alert_id)
    """,
    """
CREATE INDEX deliveries_due ON notify.deliveries (due_at) WHERE status = 'pending'
    """,
    """
CREATE TABLE notify.delivery_attempts (
        delivery_id UUID NOT NULL,
        attempt INTEGER NOT NULL,
        at TIMESTAMP WITH TIME ZONE NOT NULL,
        status_code INTEGER,
        error TEXT,
        duration_ms FLOAT NOT NULL,
        PRIMARY KEY (delivery_id, attempt),
        FOREIGN KEY(delivery_id) REFERENCES notify.deliveries (delivery_id) ON DELETE CASCADE
    )
    """,
]


def upgrade() -> None:
    for statement in _DDL:
        op.execute(statement)


def downgrade() -> None:
    for table in ["delivery_attempts", "deliveries", "rules", "incidents", "channels", "acknowledgements"]:
        op.drop_table(table, schema="notify")
