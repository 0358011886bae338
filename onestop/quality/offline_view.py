"""GX's page view for Data Docs, reading the templates onestop/quality/data_docs.py wrote before GX's own (GX's
view asks its package first, so a custom view can add templates but never replace one)."""

from __future__ import annotations

from great_expectations.render.view import DefaultJinjaPageView
from jinja2 import ChoiceLoader, FileSystemLoader


class OfflinePageView(DefaultJinjaPageView):
    def __init__(self, custom_styles_directory=None, custom_views_directory=None) -> None:
        super().__init__(custom_styles_directory, custom_views_directory)
        if custom_views_directory:
            self.env.loader = ChoiceLoader([FileSystemLoader(custom_views_directory), self.env.loader])
