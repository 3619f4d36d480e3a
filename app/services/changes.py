"""What a mutation changed, so views refresh only that (architecture.md rule 4)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Changes:
    """Tables and record ids a service call touched."""

    tables: frozenset[str] = field(default_factory=frozenset)
    ids: frozenset[str] = field(default_factory=frozenset)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.tables | other.tables, self.ids | other.ids)

    @classmethod
    def of(cls, table: str, *ids: str) -> Changes:
        """Changes to ``ids`` in one table."""
        return cls(frozenset({table}), frozenset(ids))
