"""Data Docs offline: GX's own templates, localised, name no remote address; every file they name is vendored."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

from onestop.quality import data_docs


def gx_text(name: str) -> str:
    package = files("great_expectations.render.view")
    folder = "static/styles" if name == data_docs.STYLES else "templates"
    return (package / folder / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [*data_docs.TEMPLATES, data_docs.STYLES])
def test_gx_templates_localised_name_no_remote_address(name) -> None:
    original = gx_text(name)
    localised = data_docs.localised(name, original)
    assert localised != original  # there was something to mend (else this test proves nothing)
    assert "https://" not in localised and "http://" not in localised
    assert "add_data_context_id_to_url" not in localised  # the logo's call home
    for local in re.findall(r"static/vendor/([\w./-]+)", localised):
        assert (data_docs.VENDOR_DIR / local).is_file(), local


def test_every_vendored_file_is_kept_and_every_cdn_address_has_one() -> None:
    kept = {local for *_, local in data_docs.VENDORED}
    assert all((data_docs.VENDOR_DIR / local).stat().st_size > 0 for local in kept)
    assert {local for local in data_docs.LOCAL.values() if local} <= kept


def test_a_template_naming_an_unknown_address_is_refused() -> None:
    with pytest.raises(RuntimeError, match="does not vendor"):
        data_docs.localised("page.j2", '<script src="https://cdn.example.org/new.js"></script>')
