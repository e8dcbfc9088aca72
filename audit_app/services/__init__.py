"""The use cases the app and the command line share.

Pages and commands call these and only these; they never touch storage directly (an
import-linter contract checks it).
"""
