"""What a cached read is shared by: the branches a user may see, never who the user is.

Every read service narrows its result to the acting user's areas (``services.access``), and
nothing a page caches depends on more than the role and those areas. Keying the page caches
on this scope instead of on the user lets every head office session share one computed
comparison, and every area manager of the same areas share theirs, while two scopes never
share an entry.
"""

from __future__ import annotations

from audit_app.domain.users import User

Scope = tuple[str, tuple[str, ...]] | None
"""(role, areas), or None for the command line's unrestricted context."""


def cache_scope(user: User | None) -> Scope:
    """The part of ``user`` a cached read may depend on."""
    if user is None:
        return None
    return (str(user.role), tuple(sorted(user.areas)))
