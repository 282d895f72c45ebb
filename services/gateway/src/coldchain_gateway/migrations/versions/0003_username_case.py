"""Usernames are case-insensitive: `Admin` and `admin` are one user.

A unique index on lower(username); the name keeps the case it was created with. If the
table already holds names that differ only by case, the migration stops and names them
(one must be renamed or removed first): merging two accounts is not a migration's call.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "gateway"


def upgrade() -> None:
    clashes = (
        op.get_bind()
        .execute(
            sa.text(
                f"SELECT string_agg(username, ', ' ORDER BY created_at) FROM {SCHEMA}.users "
                "GROUP BY lower(username) HAVING count(*) > 1"
            )
        )
        .scalars()
        .all()
    )
    if clashes:
        raise RuntimeError(
            "usernames that differ only by case, rename or remove all but one of each: " + "; ".join(clashes)
        )
    op.create_index("users_username_lower", "users", [sa.text("lower(username)")], unique=True, schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("users_username_lower", table_name="users", schema=SCHEMA)
