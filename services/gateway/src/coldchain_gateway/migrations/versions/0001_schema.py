"""Gateway schema (empty: its tables come with authentication).

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The schema itself is created by the migration runner."""


def downgrade() -> None:
    """Nothing to undo."""
