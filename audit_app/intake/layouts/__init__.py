"""Layouts: how a file's cells become raw visits (``ours``: templates and our CSV forms;
``profile``: any other layout, read through a mapping profile)."""
