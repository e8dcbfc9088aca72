"""PDF reports (reportlab platypus): renderers take data and return bytes."""
