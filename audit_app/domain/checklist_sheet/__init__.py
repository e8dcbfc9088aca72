"""A checklist kept as a spreadsheet of questions (one row per question), as chains keep
them: the columns found by their words in en, ca, ro, tr and es, every cell read into the
checklist's YAML shape, every problem named at its cell; and the same shape written back."""
