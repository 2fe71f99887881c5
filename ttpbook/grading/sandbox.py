"""The sandbox: run one submission's grading process under bubblewrap, with prlimit limits, and kill all of it afterwards.

Isolation comes from maintained tools, not from code of ours:

- ``bwrap`` (bubblewrap, the Debian package ``bubblewrap``) gives each submission new PID, IPC,
  UTS and network namespaces (no network: only a loopback device, which the Jupyter kernel uses
  to talk to its client) and a private filesystem built from an allow-list, all read-only: the
  system (``/usr``, ``/etc``, ``/bin``, ``/lib``…), the Python installation and virtual
  environment, and the book's folder without ``exercises/``, ``tests/`` and ``.git`` (answer
  keys and hidden tests stay out). Home folders, ``/root``, other submissions, other sandboxes,
  the results folder and the rest of the machine are not there at all. ``/tmp`` and
  ``/dev/shm`` are private, size-limited tmpfs mounts; the submission's own folder, mounted at
  ``/sandbox``, is the only host folder it can write to;
- as root, ``setpriv`` (util-linux) then drops to a user id of the sandbox's own, with no
  capabilities and ``no_new_privs``, before Python starts; not as root, bwrap's user namespace
  keeps your own user id inside the sandbox;
- ``prlimit`` (util-linux) sets the address-space, CPU-time, file-size, core-dump and (as root)
  process-count limits, inherited by the kernel the grading process starts.

Killing is simple because of the PID namespace: when bwrap ends or is killed, the kernel kills
every process inside, including a Jupyter kernel in a session of its own or a process a
submission detached (``--die-with-parent``, ``--unshare-pid``).

Without a working bwrap (no ``bwrap`` installed, or namespaces refused, as in some containers)
there is no isolation: submissions run with your permissions and your network. The grader says
so, and as root it refuses to start unless ``--allow-unsandboxed`` is given; even then it drops
to a user id of its own with ``setpriv``, so submissions never run as root.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Iterable

from .masters import ROOT

MAX_FILE_BYTES = 256 * 1024 * 1024       # RLIMIT_FSIZE in the sandbox
TMPFS_BYTES = 256 * 1024 * 1024          # size of the private /tmp and /dev/shm
MAX_PROCESSES = 256                      # RLIMIT_NPROC for a sandbox's own user id (as root)
UID_BASE = 1_900_000_000                 # sandbox user ids are UID_BASE + a slot number
INSIDE = "/sandbox"                      # where a submission's folder appears inside the sandbox
INSTRUCTOR_ONLY = ("exercises", "tests", ".git", "_build", "node_modules")


class SandboxError(RuntimeError):
    """The grader cannot isolate submissions and was not told to grade without isolation."""


def bwrap_works() -> bool:
    """True when bubblewrap is installed and may create the namespaces used here."""
    bwrap = shutil.which("bwrap")
    if not bwrap or not shutil.which("prlimit"):
        return False
    probe = [bwrap, *_namespace_options(), "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _namespace_options() -> list[str]:
    options = ["--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
               "--die-with-parent", "--new-session"]
    if os.geteuid() != 0:
        options.append("--unshare-user")    # an unprivileged user needs a user namespace for the others
    return options


def _ro_bind(path: Path, made: set[Path]) -> list[str]:
    """Mount ``path`` read-only at the same place, creating its parent folders as world-traversable
    (bwrap would create them readable by root only, and the sandbox's user could not reach it)."""
    args = []
    for parent in reversed(path.parents[:-1]):   # every ancestor but "/", outermost first
        if parent not in made:
            args += ["--perms", "0755", "--dir", str(parent)]
            made.add(parent)
    return args + ["--ro-bind", str(path), str(path)]


def _system_mounts(made: set[Path]) -> list[str]:
    """Read-only mounts of the system and the Python installation (links kept as links)."""
    args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    prefixes = {Path(p).resolve() for p in (sys.base_prefix, sys.prefix, Path(sys.executable).resolve().parent.parent)}
    for prefix in sorted(prefixes, key=lambda p: len(p.parts)):
        if not any(prefix == Path(top) or Path(top) in prefix.parents for top in ("/usr", "/etc")):
            args += _ro_bind(prefix, made)
    return args


def closed_to_others() -> str | None:
    """The first folder on the way to this Python (or its environment) that other users cannot enter."""
    import stat

    for target in (Path(sys.executable).resolve(), Path(sys.prefix).resolve(), ROOT.resolve()):
        for folder in reversed(target.parents):
            if not folder.stat().st_mode & stat.S_IXOTH:
                return str(folder)
    return None


class Sandboxes:
    """Sandbox folders, user ids and launch commands for one grading run.

    ``mode`` is ``"bwrap"`` (isolated) or ``"none"`` (no isolation; see the module docstring).
    Each submission gets a fresh folder under a private temporary root; its grading process
    and log are started and ended by ``launch`` and ``kill``.
    """

    def __init__(self, jobs: int, hide: Iterable[Path] = (), *, allow_unsandboxed: bool = False,
                 mode: str | None = None):
        self.mode = mode or ("bwrap" if bwrap_works() else "none")
        self.as_root = os.geteuid() == 0
        if self.mode == "none" and self.as_root and not allow_unsandboxed:
            raise SandboxError(
                "bubblewrap (bwrap) is not installed or cannot create namespaces here, so submissions "
                "could not be isolated, and the grader is running as root. Install the Debian package "
                "'bubblewrap' (and allow user or mount namespaces), or pass --allow-unsandboxed to grade "
                "anyway: submissions then run as an unprivileged user id, with network access and "
                "read access to every world-readable file.")
        if self.mode == "none" and self.as_root and not shutil.which("setpriv"):
            raise SandboxError("no isolation and no setpriv (util-linux) to drop root: refusing to run "
                               "submissions as root")
        if self.mode == "none" and self.as_root and closed_to_others():
            raise SandboxError(f"without isolation, submissions run as an unprivileged user id, which cannot "
                               f"reach {closed_to_others()} (not open to other users), so it cannot run this "
                               "Python: install Python and the virtual environment where every user can read them")
        self.root = Path(tempfile.mkdtemp(prefix="ttpbook-grade-"))
        tag = os.environ.get("TTPBOOK_GRADING_TAG", "")   # lets a test find what this run started
        self.run_id = f"{tag}:{self.root.name}" if tag else self.root.name
        self.hide = [Path(p).resolve() for p in hide]
        base = UID_BASE + (os.getpid() % 100_000) * 64
        self._free = list(range(base, base + jobs)) if self.as_root else [os.getuid()] * jobs
        self._lock = threading.Lock()
        if self.as_root:
            os.chmod(self.root, 0o711)   # sandbox users may pass through, but not list it

    def describe(self) -> str:
        """One sentence, true for this run, on what protects the machine from a submission."""
        if self.mode == "bwrap":
            who = "a user id of its own" if self.as_root else "your user id (in a user namespace)"
            return (f"Isolation: bubblewrap; each submission sees a read-only system, a private /tmp, "
                    f"no network and only its own folder, and runs as {who}.")
        if self.as_root:
            return ("WARNING: no isolation (bubblewrap unavailable; --allow-unsandboxed given): submissions "
                    "run as an unprivileged user id, but can use the network and read world-readable files.")
        return ("WARNING: no isolation (bubblewrap unavailable): submissions run as your own user, with your "
                "network and your files. Grade untrusted work only with bubblewrap, in a throw-away VM or in "
                "a container.")

    def take_uid(self) -> int:
        with self._lock:
            return self._free.pop()

    def give_uid(self, uid: int) -> None:
        with self._lock:
            self._free.append(uid)

    def make(self) -> Path:
        """A fresh folder for one submission: submission/, home/ and runtime/ inside it."""
        box = Path(tempfile.mkdtemp(prefix="box-", dir=self.root))
        for sub in ("submission", "home", "runtime", "tmp"):
            (box / sub).mkdir()
        return box

    def inside(self, box: Path) -> Path:
        """Where the grading process sees ``box``."""
        return Path(INSIDE) if self.mode == "bwrap" else box

    def hand_over(self, box: Path, uid: int) -> None:
        """Give the box to the sandbox's user id (as root), so that it can write there and nowhere else."""
        if not self.as_root:
            return
        for dirpath, _, filenames in os.walk(box):
            os.chown(dirpath, uid, uid)
            for name in filenames:
                os.chown(os.path.join(dirpath, name), uid, uid)
        os.chmod(box, 0o700)

    def command(self, box: Path, uid: int, memory_bytes: int, cpu_seconds: int) -> list[str]:
        """The full command line that grades the job in ``box``."""
        job = str(self.inside(box) / "job.json")
        python = [sys.executable, "-I", "-m", "ttpbook.grading.child", job]
        limits = ["prlimit", f"--as={memory_bytes}", f"--cpu={cpu_seconds}:{cpu_seconds + 5}",
                  f"--fsize={MAX_FILE_BYTES}", "--core=0"]
        if self.as_root:
            limits.append(f"--nproc={MAX_PROCESSES}")
        drop = (["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
                 "--inh-caps=-all", "--bounding-set=-all"] if self.as_root else [])
        inner = [*limits, "--", *([*drop, "--"] if drop else []), *python]
        if self.mode != "bwrap":
            return inner
        return ["bwrap", *_namespace_options(), *self._mounts(box), "--chdir", INSIDE, "--", *inner]

    def _mounts(self, box: Path) -> list[str]:
        # The private /tmp first: the book or its environment may live under /tmp (a CI clone),
        # and a later --tmpfs /tmp would hide them.
        args = ["--dev", "/dev", "--proc", "/proc",
                "--perms", "1777", "--size", str(TMPFS_BYTES), "--tmpfs", "/tmp",
                "--perms", "1777", "--size", str(TMPFS_BYTES), "--tmpfs", "/dev/shm"]
        made: set[Path] = {Path("/tmp"), Path("/dev"), Path("/dev/shm"), Path("/proc")}
        args += _system_mounts(made)
        book = ROOT.resolve()
        args += _ro_bind(book, made)
        hidden = [book / name for name in INSTRUCTOR_ONLY]
        hidden += [h for h in self.hide if book in h.parents]
        python = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix)}
        for path in hidden:   # never hide the Python installation, wherever it lives
            if path.is_dir() and not path.is_symlink() and not any(path == p or path in p.parents for p in python):
                args += ["--tmpfs", str(path)]
        args += ["--bind", str(box), INSIDE]
        return args

    def launch(self, box: Path, uid: int, env: dict[str, str], log_path: Path, memory_bytes: int,
               cpu_seconds: int) -> subprocess.Popen:
        """Start the grading process of ``box`` in a new session; its output goes to ``log_path``."""
        with open(log_path, "wb") as log:
            return subprocess.Popen(self.command(box, uid, memory_bytes, cpu_seconds), cwd=box, env=env,
                                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)

    def kill(self, proc: subprocess.Popen, uid: int | None) -> None:
        """End the grading process and everything it started.

        Under bwrap, killing bwrap's session ends the PID namespace and with it every process
        inside. Without isolation, the process tree is collected first and killed, then (as
        root) any process left running as the sandbox's own user id.
        """
        import psutil

        victims = []
        if self.mode != "bwrap":
            try:
                victims = psutil.Process(proc.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                victims = []
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.mode != "bwrap" and self.as_root and uid is not None:
            victims += [p for p in psutil.process_iter(["uids"])
                        if p.info["uids"] and p.info["uids"].real == uid]
        for victim in victims:
            try:
                victim.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(victims, timeout=5)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def child_env(box_inside: Path, run_id: str = "") -> dict[str, str]:
    """The whole environment of a grading process: nothing of the grader's own is passed on
    (``TTPBOOK_GRADING_RUN`` only names the run, so that a test can look for leftovers)."""
    venv_bin = str(Path(sys.executable).parent)
    home = box_inside / "home"
    env = {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "TMPDIR": str(box_inside / "tmp"),
        "JUPYTER_RUNTIME_DIR": str(box_inside / "runtime"),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".local" / "share" / "jupyter"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "IPYTHONDIR": str(home / ".ipython"),
        "MPLCONFIGDIR": str(home / ".matplotlib"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_MAX_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
        "TTPBOOK_GRADING_RUN": run_id or "unnamed",
    }
    if sys.prefix != sys.base_prefix:
        env["VIRTUAL_ENV"] = sys.prefix
    return env
