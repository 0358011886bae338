"""Import onestop's dashboard bundle into Superset, overwriting every asset by UUID (database, datasets, charts,
dashboard), as Superset's assets API does: `superset import-dashboards` overwrites the dashboard alone, so a changed
chart file would never arrive. Run by `onestop bi` with Superset's own Python: import_assets.py BUNDLE.zip."""

import sys
from zipfile import ZipFile

from superset.app import create_app

app = create_app()
with app.app_context():
    from superset import security_manager
    from superset.commands.importers.v1.assets import ImportAssetsCommand
    from superset.commands.importers.v1.utils import get_contents_from_bundle
    from superset.utils.core import override_user

    with override_user(security_manager.find_user(username="admin")), ZipFile(sys.argv[1]) as bundle:
        ImportAssetsCommand(get_contents_from_bundle(bundle)).run()
