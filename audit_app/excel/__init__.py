"""Spreadsheets in and out: fill-in templates, reading workbooks and CSV, mapping profiles
for layouts we did not design, and exports safe to open in a spreadsheet."""
