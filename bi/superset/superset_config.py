"""Superset's configuration for onestop's dashboard (`make bi`, `onestop bi`): read by Superset's own process, in its
own environment (bi/superset/.venv), through SUPERSET_CONFIG_PATH. Everything a deployment varies comes from the
environment `onestop.local.superset` sets: where Superset keeps its state, its secret key, the port.

Offline and silent: the page may load nothing but Superset's own assets (the content security policy below allows
only 'self'), so the tracking pixel compiled into Superset's front end, map tiles and web fonts are never fetched.
"""

import os

_state = os.environ["SUPERSET_HOME"]
SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_state}/superset.db?check_same_thread=false"
DATA_DIR = _state

APP_NAME = "onestop"
BABEL_DEFAULT_LOCALE = "en"  # Superset has no Vietnamese translation; the dashboard's own words are Vietnamese
LANGUAGES = {}
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
FEATURE_FLAGS = {"DASHBOARD_RBAC": False, "ENABLE_TEMPLATE_PROCESSING": False}
# Vietnamese number format: a dot between thousands, a comma before decimals.
D3_FORMAT = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]}
CURRENCIES = ["VND"]
SQLLAB_CTAS_NO_LIMIT = False
PREVENT_UNSAFE_DB_CONNECTIONS = True

_self = ["'self'"]
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": _self,
        "default-src": _self,
        "img-src": [*_self, "blob:", "data:"],
        "worker-src": [*_self, "blob:"],
        "connect-src": _self,
        "object-src": "'none'",
        "style-src": [*_self, "'unsafe-inline'"],
        "font-src": [*_self, "data:"],
        "script-src": [*_self, "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
