"""The personal values a simulated province holds, to look for where they must never appear."""

from __future__ import annotations

from datetime import date


def people(sim, first: date, last: date) -> dict[str, set[str]]:
    """Every personal value the simulator put in its systems' records, less officials' names (they are meant to
    be shown: who holds a dossier) and values too short to be telling."""
    found: dict[str, set[str]] = {"name": set(), "id": set(), "phone": set(), "email": set()}
    officials: set[str] = set()
    for system in sim.world.systems:
        for d in sim.world.dossiers(system.id, first, last):
            found["name"].add(d.applicant_name)
            found["id"].add(d.applicant_id)
            found["phone"].add(d.applicant_phone)
            found["email"].add(d.applicant_email)
            officials.update(step.handler for step in d.steps)
        for f in sim.world.feedback(system.id, first, last):
            found["name"].add(f.reporter_name)
            found["phone"].add(f.reporter_phone)
    found["name"] -= officials
    return {kind: {v for v in values if v and len(v) >= 6} for kind, values in found.items()}
