"""Sample applications in every state, made through the services as a person would."""
from __future__ import annotations


def seed_applications(*, users, orgs, csf_round, ppaf_round) -> None:
    """Filled in as each journey lands; each sample is created once (looked up by title)."""
    return None
