"""Launch buttons (Binder, JupyterHub) that open this book's own repository, or none at all.

The theme builds each chapter's launch links from the repository address. Jupyter Book fills in
its *own* repository when ``repository: url:`` is unset, so a book without an address would offer
a Binder button that launches Jupyter Book's sources. This extension:

1. takes the address from ``_config.yml`` (``repository: url:``, ``branch:``) or, at build time,
   from environment variables, so a fork or a publishing workflow can set it without editing the
   book:

   - ``TTPBOOK_REPOSITORY_URL``: ``https://github.com/OWNER/REPOSITORY`` (or gitlab.com);
   - ``TTPBOOK_REPOSITORY_BRANCH``: the branch the links open (default: ``_config.yml``'s);
   - ``TTPBOOK_JUPYTERHUB_URL``: a JupyterHub's address; adds a JupyterHub button whose link
     uses nbgitpuller to pull the repository into the student's account;

2. checks those addresses and stops the build with a clear message if one is malformed;
3. drops the launch group on every page while the address is still Jupyter Book's default (the
   executed-notebook download stays), and adds the repository button once a real one is set.
"""

from __future__ import annotations

import os
import re

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

JUPYTER_BOOK_DEFAULT_REPOSITORY = "executablebooks/jupyter-book"
REPOSITORY_PATTERN = re.compile(r"^https://(github\.com|gitlab\.com)/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
HUB_PATTERN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9_.~/-]*)?$")
BRANCH_PATTERN = re.compile(r"^[A-Za-z0-9_./-]+$")


def configured_repository(options: dict) -> str | None:
    """This book's repository address, or None while it is Jupyter Book's default (or unset)."""
    url = (options.get("repository_url") or "").strip().rstrip("/")
    if not url or url.endswith("/" + JUPYTER_BOOK_DEFAULT_REPOSITORY):
        return None
    return url


def apply_launch_settings(app: Sphinx, config: Config) -> None:
    options = config.html_theme_options
    launch = options.setdefault("launch_buttons", {})
    environment = {
        "repository_url": os.environ.get("TTPBOOK_REPOSITORY_URL", "").strip(),
        "repository_branch": os.environ.get("TTPBOOK_REPOSITORY_BRANCH", "").strip(),
    }
    for key, value in environment.items():
        if value:
            options[key] = value.rstrip("/")
    hub = os.environ.get("TTPBOOK_JUPYTERHUB_URL", "").strip()
    if hub:
        launch["jupyterhub_url"] = hub.rstrip("/")

    repository = configured_repository(options)
    if repository and not REPOSITORY_PATTERN.match(repository):
        raise ConfigError(
            f"launch_buttons: the repository address {repository!r} (repository: url: in _config.yml, "
            "or TTPBOOK_REPOSITORY_URL) must look like https://github.com/OWNER/REPOSITORY.")
    branch = options.get("repository_branch") or ""
    if branch and not BRANCH_PATTERN.match(branch):
        raise ConfigError(f"launch_buttons: {branch!r} is not a branch name (TTPBOOK_REPOSITORY_BRANCH "
                          "or repository: branch: in _config.yml).")
    hub = launch.get("jupyterhub_url") or ""
    if hub and not HUB_PATTERN.match(hub):
        raise ConfigError(f"launch_buttons: the JupyterHub address {hub!r} (TTPBOOK_JUPYTERHUB_URL or "
                          "launch_buttons: jupyterhub_url:) must look like https://hub.example.edu.")
    if repository:
        options["use_repository_button"] = True


def drop_launch_buttons_without_repository(app: Sphinx, pagename: str, templatename: str, context: dict,
                                           doctree) -> None:
    """While the repository is Jupyter Book's default, no page offers to launch it."""
    if configured_repository(app.config.html_theme_options) is None and context.get("header_buttons"):
        context["header_buttons"][:] = [b for b in context["header_buttons"] if b.get("label") != "launch-buttons"]


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", apply_launch_settings)
    app.connect("html-page-context", drop_launch_buttons_without_repository, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
