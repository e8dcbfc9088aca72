"""Bytes under the caps -> grids of cells, or one typed refusal (``UnreadableFile``)."""
