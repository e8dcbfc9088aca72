"""Colours shared by the pages' charts and the app's theme (``audit-app serve``)."""

BRAND = "#2E7D4F"
TEXT = "#111111"
"""Near black: Streamlit draws captions and chart axes from the text colour at reduced
opacity, and its default grey falls below WCAG's 4.5:1 contrast there."""
