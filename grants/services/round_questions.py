"""The questions a round asks on top of the fixed sections."""
from __future__ import annotations


def sections_for(round_) -> list:
    """The round's extra task-list sections (none yet)."""
    return []
