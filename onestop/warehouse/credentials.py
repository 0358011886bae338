"""Who the pipeline is when it reaches the warehouse: each role logs in as itself, with its own password.

`ONESTOP_WAREHOUSE_URL` gives the address (its credentials, if any, are the owner's, used by `warehouse init`
alone); a task connects with `login_url(role)`: the loader lands, the transformer builds and judges, BI reads.
On such a login `reset role` goes nowhere: the session is the role's. Passwords come from the environment (or a
secrets backend setting it), else from the state folder where the embedded server's `init` keeps the ones it
generated; nothing here generates one unless asked (the embedded server's callers).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable

from onestop.settings import AIRFLOW_DB_ROLE, settings, state_dir
from onestop.warehouse import ROLES, WarehouseNotConfigured, airflow_db_url, role_url, warehouse_url


def _missing(variable: str, what: str) -> WarehouseNotConfigured:
    return WarehouseNotConfigured(
        f"{variable} is not set: {what} comes from the environment (or a secrets backend) for any server but the"
        " embedded one, where onestop generates it"
    )


def role_passwords(generate: bool = False, roles: Iterable[str] = ROLES) -> dict[str, str]:
    """Each role's password: `ONESTOP_<ROLE>_PASSWORD` from the environment, else the one kept in the git-ignored
    state folder; generated (and kept there) only when `generate`, which only the embedded server's callers ask."""
    store = state_dir() / "roles.json"
    saved = json.loads(store.read_text()) if store.exists() else {}
    passwords, generated = {}, {}
    for role in roles:
        password = settings().password(role) or saved.get(role)
        if not password:
            if not generate:
                raise _missing(f"{role.upper()}_PASSWORD", f"the password of {role}")
            password = generated[role] = secrets.token_urlsafe(18)
        passwords[role] = password
    if generated:  # only what was generated is kept: a password the environment gives is never written down
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text(json.dumps({**saved, **generated}))
        store.chmod(0o600)
    return passwords


def pii_key(generate: bool = False) -> str:
    """The key of the keyed hash: `ONESTOP_PII_KEY`, else the one kept in the state folder; generated there only
    when `generate` (the embedded server)."""
    if settings().pii_key:
        return settings().pii_key
    store = state_dir() / "pii_key"
    if not store.exists():
        if not generate:
            raise _missing("ONESTOP_PII_KEY", "the pseudonymisation key")
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text(secrets.token_urlsafe(32))
        store.chmod(0o600)
    return store.read_text().strip()


def login_url(role: str) -> str:
    """The warehouse's address with `role`'s own login (onestop_loader, onestop_transformer, onestop_bi)."""
    return role_url(role, role_passwords()[role], warehouse_url())


def airflow_login_url(url: str | None = None, generate: bool = False) -> str:
    """Airflow's metadata database with Airflow's own login (`onestop_airflow`, its owner), never the server's."""
    password = role_passwords(generate, (AIRFLOW_DB_ROLE,))[AIRFLOW_DB_ROLE]
    return role_url(AIRFLOW_DB_ROLE, password, airflow_db_url(url or warehouse_url()))
