"""The pure core: checklists, answers, scoring and comparison, free of every framework."""
