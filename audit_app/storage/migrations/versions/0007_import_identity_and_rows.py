"""imports identified by file, mapping profile and checklist versions; where rows went

Revision ID: 0007
Revises: 0006

The same workbook read through another mapping profile (the June columns of a monthly
workbook, a second audit type in the same file) or against another checklist is another
import: ``import_files.import_key`` (unique) replaces the unique ``content_hash``, which
stays, indexed. Imports logged before keep their content hash as their key. The rows read,
imported and already present are logged beside the rows skipped (NULL for older imports).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_files") as batch:
        batch.add_column(sa.Column("import_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("rows_read", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("rows_imported", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("rows_already_present", sa.Integer(), nullable=True))
    op.execute("UPDATE import_files SET import_key = content_hash")
    with op.batch_alter_table("import_files") as batch:
        batch.alter_column("import_key", existing_type=sa.String(length=64), nullable=False)
        batch.drop_constraint("uq_import_files_content_hash", type_="unique")
        batch.create_unique_constraint("uq_import_files_import_key", ["import_key"])
        batch.create_index("ix_import_files_content_hash", ["content_hash"])


def downgrade() -> None:
    with op.batch_alter_table("import_files") as batch:
        batch.drop_index("ix_import_files_content_hash")
        batch.drop_constraint("uq_import_files_import_key", type_="unique")
        batch.create_unique_constraint("uq_import_files_content_hash", ["content_hash"])
        batch.drop_column("rows_already_present")
        batch.drop_column("rows_imported")
        batch.drop_column("rows_read")
        batch.drop_column("import_key")
