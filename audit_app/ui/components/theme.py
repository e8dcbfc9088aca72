"""Colours shared by the pages' charts; the brand green matches the app theme."""

BRAND = "#2E7D4F"
