"""Exceptions raised by conflictmap; each edge (CLI, API) turns them into a message."""


class ConflictmapError(Exception):
    """Root of every error conflictmap raises on purpose."""


class ModelNotFoundError(ConflictmapError):
    """The spaCy pipeline named by --model / CONFLICTMAP_MODEL is not installed."""


class EntityNotFoundError(ConflictmapError):
    """No entity in the store has that name or alias."""


class StoreError(ConflictmapError):
    """The store could not be opened or migrated."""
