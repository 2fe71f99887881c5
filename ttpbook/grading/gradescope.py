"""The Gradescope route, rehearsed: run an autograder zip's own ``run_autograder`` in a disposable root laid out as on Gradescope.

Gradescope unzips the autograder into ``/autograder/source``, runs ``setup.sh`` once to build the
image, puts the student's files in ``/autograder/submission``, runs ``/autograder/run_autograder``
and reads ``/autograder/results/results.json``. ``run_gradescope`` builds that layout in a fresh
temporary folder, mounts it at ``/autograder`` inside a bubblewrap sandbox (nothing is written
outside it, no network), and runs the zip's ``run_autograder`` unchanged.

What differs from Gradescope, and why:

- ``setup.sh`` is **not** run: it installs apt packages and downloads Miniforge and otter's
  conda environment from the internet. Its result, a conda environment ``otter-env`` under
  ``/root/miniforge3`` with otter-grader 7.0.0, is stood in for by the installed virtual
  environment (the same otter-grader 7.0.0, this book's Python): a small ``mamba`` script at
  ``/root/miniforge3/bin/mamba`` answers ``mamba shell hook`` so that ``mamba activate
  otter-env`` activates it. Every other line of ``run_autograder`` and ``run_otter.py`` runs
  as written;
- the notebooks import this book's ``ttpbook`` and read ``data/``, which the zip does not contain:
  the book's folder is mounted read-only (without ``exercises/`` and ``tests/``), as the
  installed package expects;
- it runs as an unprivileged user id (not root) with ``HOME=/tmp/home``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .masters import ROOT
from .sandbox import UID_BASE, _namespace_options, _ro_bind, _system_mounts, bwrap_works

MAMBA_STANDIN = """#!/bin/bash
# Stand-in for the mamba that the autograder's setup.sh would download (see ttpbook/grading/gradescope.py):
# `mamba shell hook --shell bash` defines a `mamba` function whose `activate` activates the installed venv.
if [ "$1" = shell ] && [ "$2" = hook ]; then
  echo 'mamba() { if [ "$1" = activate ]; then source "{venv}/bin/activate"; else echo "mamba $* is not available here" >&2; return 1; fi; }'
  exit 0
fi
echo "mamba $* is not available in the Gradescope rehearsal" >&2
exit 1
"""


def run_gradescope(zip_path: Path | str, submission: Path | str, *, timeout: float = 600,
                   keep: Path | None = None) -> dict:
    """Run ``zip_path``'s ``run_autograder`` on ``submission`` as Gradescope would; return results.json.

    Raises RuntimeError when bubblewrap cannot run here, or (with the end of the output) when
    ``run_autograder`` wrote no results.json.
    """
    if not bwrap_works():
        raise RuntimeError("the Gradescope rehearsal needs bubblewrap (bwrap) with namespaces; use `otter run` instead")
    uid = UID_BASE + 63 + (os.getpid() % 100_000) * 64 if os.geteuid() == 0 else os.getuid()
    with tempfile.TemporaryDirectory(prefix="ttpbook-gradescope-") as tmp:
        tmp = Path(tmp)
        root = tmp / "autograder"
        for sub in ("source", "submission", "results"):
            (root / sub).mkdir(parents=True)
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(root / "source")
        shutil.copy(submission, root / "submission" / Path(submission).name)
        (root / "submission_metadata.json").write_text("{}")
        shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
        (root / "run_autograder").chmod(0o755)
        standin = tmp / "miniforge3" / "bin" / "mamba"
        standin.parent.mkdir(parents=True)
        standin.write_text(MAMBA_STANDIN.replace("{venv}", sys.prefix))
        standin.chmod(0o755)
        (tmp / "miniforge3").chmod(0o755)
        (tmp / "miniforge3" / "bin").chmod(0o755)
        if os.geteuid() == 0:
            for dirpath, _, filenames in os.walk(root):
                os.chown(dirpath, uid, uid)
                for name in filenames:
                    os.chown(os.path.join(dirpath, name), uid, uid)
        # The private /tmp first: the book or its environment may live under /tmp (a CI clone).
        mounts = ["--dev", "/dev", "--proc", "/proc", "--perms", "1777", "--tmpfs", "/tmp"]
        made: set[Path] = {Path("/tmp"), Path("/dev"), Path("/proc")}
        book = ROOT.resolve()
        mounts += _system_mounts(made) + _ro_bind(book, made)
        mounts += [arg for name in ("exercises", "tests", ".git") if (book / name).is_dir()
                   for arg in ("--tmpfs", str(book / name))]
        mounts += ["--perms", "0755", "--dir", "/root", "--ro-bind", str(tmp / "miniforge3"), "/root/miniforge3",
                   "--bind", str(root), "/autograder"]
        drop = (["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
                 "--inh-caps=-all", "--bounding-set=-all", "--"] if os.geteuid() == 0 else [])
        command = ["bwrap", *_namespace_options(), *mounts, "--chdir", "/autograder", "--", *drop,
                   "/bin/bash", "-c", "mkdir -p /tmp/home && exec /autograder/run_autograder"]
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp/home", "LANG": "C.UTF-8",
               "PYTHONDONTWRITEBYTECODE": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout,
                              start_new_session=True)
        results = root / "results" / "results.json"
        if keep is not None:
            shutil.copytree(root / "results", keep, dirs_exist_ok=True)
        if not results.is_file():
            raise RuntimeError(f"run_autograder wrote no results.json (exit {proc.returncode}):\n"
                               f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return json.loads(results.read_text())
