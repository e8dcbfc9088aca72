"""the trail sealed under a key outside the database; actions, appeals and activity chained (placeholder, filled by issue #15)

Revision ID: 0010
Revises: 0009
"""

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
