"""user language: the language each user reads the app in

Revision ID: 0013
Revises: 0012

``users.language`` (nullable): the language a user chose in the app's sidebar. NULL means
not chosen yet: the app then uses the language of the user's area, else the browser's.
The ledger seals a column only when it holds a value, so existing seals stay valid.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", recreate="auto") as batch_op:
        batch_op.drop_column("language")
