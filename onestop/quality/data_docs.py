"""Data Docs that work offline and phone nobody.

GX's page templates load Bootstrap, jQuery, bootstrap-table, Font Awesome and Vega from public CDNs, show its logo
from its own servers with the data context's id in the URL, and end in a newsletter footer. On a provincial network
without internet the site is blank, and the logo is a call home. Here the gate:

- writes GX's own templates, with every CDN address pointed at the copies vendored in `expectations/data_docs/`
  (from the npm registry, pinned: `VENDORED`; `python -m onestop.quality.data_docs vendor` fetches them again),
  the logo the site's own and the footer empty, into the context's `plugins/custom_data_docs/views`;
- renders the site with `offline_view.OfflinePageView`, GX's page view reading those templates first (GX's own
  view asks its package first, so a custom view can add templates but never replace one);
- copies the vendored files into the site's `static/vendor/` once GX has built it.

Vega is left out: it draws distributions, which none of the gate's expectations render.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import sys
import tarfile
from importlib.resources import files
from pathlib import Path

from onestop.settings import PROJECT_ROOT

VENDOR_DIR = PROJECT_ROOT / "expectations" / "data_docs"

# (npm package, version, file inside the package, where it goes under the site's static/vendor/)
VENDORED = (
    ("bootstrap", "4.3.1", "dist/css/bootstrap.min.css", "bootstrap.min.css"),
    ("bootstrap", "4.3.1", "dist/js/bootstrap.min.js", "bootstrap.min.js"),
    ("popper.js", "1.12.9", "dist/umd/popper.min.js", "popper.min.js"),
    ("jquery", "3.7.1", "dist/jquery.min.js", "jquery.min.js"),
    ("bootstrap-table", "1.19.1", "dist/bootstrap-table.min.css", "bootstrap-table.min.css"),
    ("bootstrap-table", "1.19.1", "dist/bootstrap-table.min.js", "bootstrap-table.min.js"),
    (
        "bootstrap-table",
        "1.19.1",
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
        "bootstrap-table-filter-control.min.css",
    ),
    (
        "bootstrap-table",
        "1.19.1",
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
        "bootstrap-table-filter-control.min.js",
    ),
    ("bootstrap-datepicker", "1.9.0", "dist/css/bootstrap-datepicker.min.css", "bootstrap-datepicker.min.css"),
    ("bootstrap-datepicker", "1.9.0", "dist/js/bootstrap-datepicker.min.js", "bootstrap-datepicker.min.js"),
    # Font Awesome's stylesheet finds its fonts at ../webfonts/; browsers take the woff2 files, listed first.
    ("@fortawesome/fontawesome-free", "6.6.0", "css/all.min.css", "fontawesome/css/all.min.css"),
    (
        "@fortawesome/fontawesome-free",
        "6.6.0",
        "webfonts/fa-solid-900.woff2",
        "fontawesome/webfonts/fa-solid-900.woff2",
    ),
    (
        "@fortawesome/fontawesome-free",
        "6.6.0",
        "webfonts/fa-regular-400.woff2",
        "fontawesome/webfonts/fa-regular-400.woff2",
    ),
    (
        "@fortawesome/fontawesome-free",
        "6.6.0",
        "webfonts/fa-brands-400.woff2",
        "fontawesome/webfonts/fa-brands-400.woff2",
    ),
)

# Each CDN address in GX's templates, and the vendored file it becomes ('' drops the tag).
LOCAL = {
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table.min.css",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "bootstrap-table-filter-control.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker.min.css"
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": "",
    "https://cdn.jsdelivr.net/npm/vega@5": "",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome/css/all.min.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table-filter-control.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker.min.js"
    ),
}
TEMPLATES = (
    "page.j2",
    "index_page.j2",
    "page_minimal.j2",
    "js_script_imports.j2",
    "top_navbar.j2",
    "ge_info.j2",
    "favicon.j2",
)
STYLES = "data_docs_default_styles.css"  # included inline; its dark-mode logo is an image on GX's servers
EMPTIED = ("cloud-footer.j2", "cta_footer.j2")

# Where the site's root is from the page being rendered (GX's own rule, as its top_navbar.j2 computes it).
ROOT = """{%- set onestop_dots = expectation_suite_name.count(".") if expectation_suite_name else 0 -%}
{%- if "ValidationResults" in renderer_type or "ProfilingResults" in renderer_type -%}
{%- set onestop_root = (onestop_dots + 4) * "../" -%}
{%- elif "ExpectationSuite" in renderer_type -%}
{%- set onestop_root = (onestop_dots + 1) * "../" -%}
{%- else -%}
{%- set onestop_root = "" -%}
{%- endif -%}
"""


def _tag_pattern(url: str) -> re.Pattern:
    return re.compile(r"<(script|link)[^>]*" + re.escape(url) + r"[^>]*>(\s*</script>)?")


def localised(name: str, text: str) -> str:
    """One of GX's templates with every remote address replaced, for `custom_data_docs/views`."""
    for url, local in LOCAL.items():
        if local:
            text = text.replace(url, "{{ onestop_root }}static/vendor/" + local)
        else:
            text = _tag_pattern(url).sub("", text)
    if name == "top_navbar.j2":
        # GX's logo from its servers, the data context's id in the address: the site's own copy, no id.
        text = re.sub(r'\{% set static_images_dir = "https://[^"]*" -%\}', "", text)
        text = text.replace(
            '{{ static_images_dir + "logo-long.png" | add_data_context_id_to_url }}',
            "{{ onestop_root }}static/images/logo-long.png",
        )
    # A file the page loads from disk has no CORS: the CDN's integrity and crossorigin attributes would block it.
    text = re.sub(r'\s+(integrity="[^"]*"|crossorigin="[^"]*")', "", text)
    # GX counts one level too few for a validation page's favicon.
    text = text.replace(
        'href="{{ static_images_dir + "favicon.ico" }}"', 'href="{{ onestop_root }}static/images/favicon.ico"'
    )
    # A link to GX's site becomes its text: the site points nowhere outside the province.
    text = re.sub(r'<a href="https://[^"]*">([^<]*)</a>', r"\1", text)
    if name == STYLES:
        text = local_logo(text, "{{ onestop_root }}static/images/")
    remaining = re.findall(r"(?:src|href)=\"https?://[^\"]+|url\('https?://[^']+", text)
    if remaining:
        raise RuntimeError(f"GX's template {name} names an address onestop does not vendor: {remaining}")
    return text if name == STYLES else ROOT + text


# GX instantiates it by name when it builds the site (its own module: importing GX is not for every caller).
VIEW = {"module_name": "onestop.quality.offline_view", "class_name": "OfflinePageView"}


def prepare(context_root: Path) -> bool:
    """Write the templates pointed at local copies where GX looks for custom views, before it builds the site;
    return whether any changed (the pages built before with other templates are then to be rebuilt)."""
    views = context_root / "gx" / "plugins" / "custom_data_docs" / "views"
    views.mkdir(parents=True, exist_ok=True)
    package = files("great_expectations.render.view")
    sources = [(name, package / "templates" / name) for name in TEMPLATES]
    wanted = {name: localised(name, source.read_text(encoding="utf-8")) for name, source in sources}
    wanted[STYLES] = localised(STYLES, (package / "static" / "styles" / STYLES).read_text(encoding="utf-8"))
    wanted |= dict.fromkeys(EMPTIED, "")
    changed = False
    for name, text in wanted.items():
        path = views / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed = True
    return changed


def local_logo(styles: str, images: str) -> str:
    """GX's styles with the dark-mode logo (on GX's servers) replaced by the site's own."""
    return re.sub(r"url\('https://[^']*'\)", f"url('{images}logo-long.png')", styles)


def install_assets(site: Path) -> None:
    """Copy the vendored files into the site GX built (it copies its own images and styles, not these), and mend
    the copy of GX's styles it left beside them (the pages carry theirs inline)."""
    copied = site / "static" / "styles" / STYLES
    if copied.exists():
        copied.write_text(local_logo(copied.read_text(encoding="utf-8"), "../images/"), encoding="utf-8")
    target = site / "static" / "vendor"
    for *_, local in VENDORED:
        destination = target / local
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(VENDOR_DIR / local, destination)


def site_config(site: Path) -> dict:
    """The local site: rendered by `OfflinePageView`, no how-to buttons, no call-to-action footer."""
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_cta_footer": False, "view": VIEW},
        "site_section_builders": {section: {"view": VIEW} for section in ("expectations", "validations", "profiling")},
    }


def vendor(target: Path = VENDOR_DIR) -> None:
    """Fetch the pinned packages from the npm registry and keep the files the site needs (a maintainer's command,
    run when a version changes; never at run time)."""
    import httpx

    packages = {(package, version) for package, version, *_ in VENDORED}
    for package, version in sorted(packages):
        tarball = f"https://registry.npmjs.org/{package}/-/{package.split('/')[-1]}-{version}.tgz"
        response = httpx.get(tarball, follow_redirects=True, timeout=60)
        response.raise_for_status()
        with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as archive:
            for pkg, ver, inside, local in VENDORED:
                if (pkg, ver) != (package, version):
                    continue
                member = archive.extractfile(f"package/{inside}")
                destination = target / local
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(member.read())
                print(f"{package}@{version} {inside} -> {local} sha256 {digest(destination)}")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


if __name__ == "__main__":
    if sys.argv[1:] != ["vendor"]:
        sys.exit("usage: python -m onestop.quality.data_docs vendor")
    vendor()
