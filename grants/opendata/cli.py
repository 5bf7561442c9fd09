"""Command-line tasks for this area. Registered by grants.cli."""


def register(app) -> None:
    return None
