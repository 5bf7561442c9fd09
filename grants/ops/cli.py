"""Operations commands (backup, restore). Registered by grants.cli."""


def register(app) -> None:
    return None
