"""Broken and hostile submissions, graded as one batch with the instructor's command: every
file gets a row with the expected status, the batch finishes within a bound, and nothing
outside each submission's sandbox changes."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
import grading_support as gs  # noqa: E402
from ttpbook import grading  # noqa: E402
from ttpbook.grading import sandbox  # noqa: E402

NAME = "background"
TIMEOUT = 40          # per submission, for the test (the default is 60 s)
BATCH_BOUND = 300     # seconds for the whole hostile batch on 2 cores

ALWAYS_EQUAL = '''
class Always:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __gt__(self, other): return True
    def __lt__(self, other): return True
    def __ge__(self, other): return True
    def __le__(self, other): return True
    def __abs__(self): return 0
    def __sub__(self, other): return self
    def __rsub__(self, other): return self
    def __mod__(self, other): return 0
    def __bool__(self): return True
    def strip(self): return self
    __hash__ = object.__hash__
class SneakyInt(int):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = int.__hash__
'''


def _isolated() -> bool:
    return sandbox.bwrap_works()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    subs = base / "submissions"
    canary = base / "canary.txt"
    canary.write_text("still here\n")
    out = base / "results" / "grades.csv"
    out.parent.mkdir()
    def solved_with(question: str, code: str):
        return gs.submission(NAME, {question: code})

    corpus = {}
    corpus["syntax_error"] = solved_with("q1", "change_2021_2024 = (")
    corpus["infinite_loop"] = solved_with("q1", "while True:\n    pass")
    corpus["huge_output"] = solved_with("q1", "for _ in range(60):\n    print('x' * 1_000_000)")
    corpus["huge_allocation"] = solved_with("q1", "hog = bytearray(16 * 2**30)")
    corpus["sys_exit"] = solved_with("q1", "import sys\nsys.exit(0)")
    corpus["os_exit"] = solved_with("q1", "import os\nos._exit(3)")
    corpus["always_equal"] = gs.submission(NAME, {
        "q1": ALWAYS_EQUAL + "change_2021_2024 = Always()",
        "q2": "ttp_change_2021_2023 = SneakyInt(0)",
        "q3": "highest_2024_publisher = Always(); highest_2024_deaths = SneakyInt(0)",
        "q4": "ratio_2024 = Always()",
        "q5": "crss_revision = SneakyInt(0); crss_rise_pct = Always()",
        "q6": "un_low_change = Always()",
        "q7": "operations_2004_2018 = SneakyInt(0); days_airport_to_zarb = Always()",
        "q8": "unama_preliminary_killed = Always()"})
    corpus["reads_tests"] = solved_with("q8", (
        "import glob, os\n"
        "found = glob.glob('**/*.py', recursive=True) + glob.glob('../**/tests/*', recursive=True)\n"
        "for path in found[:50]:\n"
        "    try:\n        print(open(path).read()[:2000])\n    except Exception as e:\n        print(e)\n"
        f"for path in [{str(subs)!r}, '/root', {str(out.parent)!r}, '/etc/shadow']:\n"
        "    try:\n        print(os.listdir(path) if os.path.isdir(path) else open(path).read()[:100])\n"
        "    except Exception as e:\n        print('refused', path, type(e).__name__)\n"))
    targets = [str(canary), str(subs / "solved_ok.ipynb"), str(out.parent)]
    if _isolated():
        targets.append(str(grading.EXERCISES))   # only ever attempted when the sandbox is real
    corpus["deletes_files"] = solved_with("q8", (
        "import os, shutil, socket\n"
        f"for path in {targets!r}:\n"
        "    for attempt in (lambda p: os.remove(p), lambda p: shutil.rmtree(p), lambda p: open(p, 'w').write('pwned')):\n"
        "        try:\n            attempt(path)\n        except Exception as e:\n            print('refused', path, type(e).__name__)\n"
        "try:\n    open('/tmp/ttpbook-hostile-was-here', 'w').write('x')\nexcept Exception as e:\n    print('refused /tmp', e)\n"
        "try:\n    socket.create_connection(('pypi.org', 443), timeout=3)\n    print('NETWORK REACHED')\n"
        "except Exception as e:\n    print('no network', type(e).__name__)\n"))
    corpus["solved_ok"] = gs.submission(NAME)
    v3 = nbformat.convert(gs.submission(NAME), 3)

    for stem, nb in corpus.items():
        gs.write(nb, subs / f"{stem}.ipynb")
    (subs / "old_format_v3.ipynb").write_text(nbformat.writes(v3, version=3))
    good = (subs / "solved_ok.ipynb").read_bytes()
    (subs / "truncated.ipynb").write_bytes(good[: len(good) // 2])
    (subs / "empty.ipynb").write_bytes(b"")
    (subs / "not_a_notebook.ipynb").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(256))
    (subs / "json_not_notebook.ipynb").write_text('{"hello": "world"}')
    other = nbformat.read(gs.student_notebook(NAME), as_version=4)
    other.metadata["otter"]["assignment_name"] = "reading-the-op-ed"
    gs.write(other, subs / "wrong_assignment.ipynb")
    (subs / "README.txt").write_text("not a submission: ignored")

    before = {
        "exercises": gs.tree_hash(grading.EXERCISES),
        "submissions": gs.tree_hash(subs),
        "tmp_sandboxes": {p.name for p in Path(tempfile.gettempdir()).glob("ttpbook-grade-*")},
    }
    started = time.perf_counter()
    proc = gs.run_grade(NAME, subs, out, "--jobs", "2", timeout=TIMEOUT)
    elapsed = time.perf_counter() - started
    leftovers = gs.grader_leftovers()   # right after the command returned
    return {"proc": proc, "elapsed": elapsed, "rows": gs.read_rows(out) if out.exists() else {}, "leftovers": leftovers,
            "out": out, "canary": canary, "subs": subs, "before": before,
            "feedback": {p.stem: p.read_text() for p in (out.parent / "grades_feedback").glob("*.txt")}}


def test_batch_finishes_within_bound_and_rows_for_every_file(hostile):
    for stem, row in sorted(hostile["rows"].items()):   # shown with -s, and in the report
        print(f"{stem}: {row['status']} {row['total']}/{row['possible']} {row['message'][:150]} [{row['flags']}]")
    assert hostile["proc"].returncode == 0, hostile["proc"].stderr[-3000:]
    assert hostile["elapsed"] < BATCH_BOUND, hostile["elapsed"]
    ipynbs = sorted(p.stem for p in hostile["subs"].glob("*.ipynb"))
    assert sorted(hostile["rows"]) == ipynbs
    assert "README" not in hostile["rows"]


EXPECTED = {
    # submission: (status, total, text in the message)
    "solved_ok": ("graded", 16, ""),
    "syntax_error": ("graded-with-errors", 12, "SyntaxError"),   # q2 needs a variable of q1's cell
    "infinite_loop": ("timeout", 0, f"timeout after {TIMEOUT} s"),
    "huge_output": ("graded", 16, "output beyond"),
    "huge_allocation": ("memory-limit", 16, "memory limit exceeded"),
    "sys_exit": ("graded-with-errors", 16, "SystemExit"),
    "os_exit": ("kernel-died", 0, "stopped during grading"),
    "always_equal": ("graded", 0, ""),
    "reads_tests": ("graded", 16, ""),
    "deletes_files": ("graded", 16, ""),
    "old_format_v3": ("graded", 16, "converted from notebook format 3"),
    "truncated": ("not-a-notebook", 0, "not valid JSON"),
    "empty": ("not-a-notebook", 0, "the file is empty"),
    "not_a_notebook": ("not-a-notebook", 0, "not UTF-8"),
    "json_not_notebook": ("not-a-notebook", 0, "without notebook cells"),
    "wrong_assignment": ("wrong-assignment", 0, "reading-the-op-ed"),
}


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_each_hostile_submission_gets_its_status(hostile, stem):
    status, total, text = EXPECTED[stem]
    row = hostile["rows"][stem]
    assert row["status"] == status, row
    assert float(row["total"]) == total, row
    assert text in row["message"], row
    feedback = hostile["feedback"][stem]
    assert f"Status: {status}" in feedback


def test_flags_point_the_instructor_at_suspicious_code(hostile):
    rows = hostile["rows"]
    assert "overrides comparison" in rows["always_equal"]["flags"]
    assert "refers to test files" in rows["reads_tests"]["flags"]
    assert "deletes files" in rows["deletes_files"]["flags"]
    assert "exits the interpreter" in rows["os_exit"]["flags"]
    assert rows["solved_ok"]["flags"] == ""


def test_nothing_outside_the_sandboxes_changed(hostile):
    if not _isolated():
        pytest.skip("without bubblewrap, submissions run as the grading user: the sandbox cannot protect files")
    assert hostile["canary"].read_text() == "still here\n"
    assert gs.tree_hash(grading.EXERCISES) == hostile["before"]["exercises"]
    assert gs.tree_hash(hostile["subs"]) == hostile["before"]["submissions"]
    assert sorted(p.name for p in hostile["out"].parent.iterdir()) == ["grades.csv", "grades_feedback", "grades_report.html"]
    assert not Path("/tmp/ttpbook-hostile-was-here").exists()   # /tmp is private in the sandbox
    left = {p.name for p in Path(tempfile.gettempdir()).glob("ttpbook-grade-*")}
    assert left <= hostile["before"]["tmp_sandboxes"], "a sandbox folder was left behind"


def test_no_process_started_by_the_grader_survives_a_hostile_batch(hostile):
    """Checked right after the command returned: the batch included an endless loop, a huge
    allocation and os._exit, and each submission's kernel ran in a session of its own."""
    assert hostile["leftovers"] == []
    assert gs.grader_leftovers() == []


def test_leftover_check_can_fail():
    """Control: a process carrying the marker is found, so an empty list above means something."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                               env=dict(os.environ, **{gs.TEST_MARKER: gs.TAG}))
    try:
        time.sleep(0.5)
        assert any(p["pid"] == sleeper.pid for p in gs.grader_leftovers())
    finally:
        sleeper.kill()
        sleeper.wait()


def _probe(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` with the sandbox's own command line (bubblewrap, prlimit, setpriv)."""
    boxes = sandbox.Sandboxes(1)
    try:
        box = boxes.make()
        uid = boxes.take_uid()
        boxes.hand_over(box, uid)
        command = boxes.command(box, uid, 2**31, 30)
        command = command[: command.index(sys.executable) + 1] + ["-I", "-c", code]
        return subprocess.run(command, cwd=box, env=sandbox.child_env(boxes.inside(box), boxes.run_id),
                              capture_output=True, text=True, timeout=60)
    finally:
        boxes.close()


def test_the_sandbox_has_no_network_no_privileges_and_sees_only_its_own_folder():
    if not _isolated():
        pytest.skip("bubblewrap cannot create namespaces here")
    secret = Path(tempfile.mkdtemp(prefix="ttpbook-secret-"))
    (secret / "answer.txt").write_text("42")
    code = ("import os, socket\n"
            "try:\n    socket.create_connection(('1.1.1.1', 443), timeout=2); print('REACHED')\n"
            "except OSError as e:\n    print('blocked', e.errno)\n"
            "print('uid', os.getuid())\n"
            "print('root has', sorted(os.listdir('/root')) if os.path.isdir('/root') else [])\n"
            f"for path in [{str(secret)!r}, {str(grading.MASTERS)!r}, '/home', '/etc/shadow']:\n"
            "    print(path, 'visible' if os.path.exists(path) and os.access(path, os.R_OK) else 'hidden')\n"
            "for path in ['/usr/x', '/sandbox/x', '/tmp/x']:\n"
            "    try:\n        open(path, 'w').write('x'); print(path, 'writable')\n"
            "    except OSError:\n        print(path, 'read-only')\n"
            "print('limit', __import__('resource').getrlimit(__import__('resource').RLIMIT_AS)[0])\n")
    try:
        proc = _probe(code)
    finally:
        import shutil
        shutil.rmtree(secret)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "blocked" in out and "REACHED" not in out, out
    assert f"{secret} hidden" in out and f"{grading.MASTERS} hidden" in out, out
    assert "/etc/shadow hidden" in out, out
    assert "/usr/x read-only" in out and "/sandbox/x writable" in out and "/tmp/x writable" in out, out
    assert f"limit {2**31}" in out, out
    if os.geteuid() == 0:
        uid = int(out.split("uid ", 1)[1].split()[0])
        assert uid >= sandbox.UID_BASE, out      # never root
    # /root holds only what the sandbox needs from it (here, pyenv's Python), nothing of root's own
    shown = eval(out.split("root has ", 1)[1].splitlines()[0])
    needed = {Path(p).resolve().relative_to("/root").parts[0] for p in (sys.prefix, sys.base_prefix)
              if Path(p).resolve().is_relative_to("/root")}
    assert set(shown) <= needed, (shown, needed)


def _path_without_bwrap(folder: Path) -> str:
    """A PATH with prlimit and setpriv but no bwrap, as on a machine without bubblewrap."""
    import shutil

    folder.mkdir()
    for tool in ("prlimit", "setpriv"):
        found = shutil.which(tool)
        if found:
            (folder / tool).symlink_to(found)
    return str(folder)


@pytest.mark.skipif(os.geteuid() != 0, reason="the refusal applies to root")
def test_without_bubblewrap_root_refuses_unless_allowed_and_then_never_runs_as_root(tmp_path):
    subs = tmp_path / "subs"
    gs.write(gs.submission(NAME), subs / "solved.ipynb")
    (subs / "empty.ipynb").write_bytes(b"")
    env = {"PATH": _path_without_bwrap(tmp_path / "bin")}
    out = tmp_path / "refused" / "grades.csv"
    proc = gs.run_grade(NAME, subs, out, env=env)
    assert proc.returncode == 2 and "--allow-unsandboxed" in proc.stderr and "bubblewrap" in proc.stderr, proc.stderr
    assert not out.exists()
    out = tmp_path / "allowed" / "grades.csv"
    proc = gs.run_grade(NAME, subs, out, "--allow-unsandboxed", env=env)
    closed = sandbox.closed_to_others()
    if closed:   # e.g. Python installed under /root: an unprivileged user id could not run it
        assert proc.returncode == 2 and f"cannot reach {closed}" in proc.stderr, proc.stderr
        assert not out.exists()
        return
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "WARNING: no isolation" in proc.stderr and "unprivileged user id" in proc.stderr
    rows = gs.read_rows(out)
    assert rows["solved"]["status"] == "graded" and float(rows["solved"]["total"]) == 16, rows["solved"]
    assert rows["empty"]["status"] == "not-a-notebook"
    assert "WARNING: no isolation" in out.with_name("grades_report.html").read_text()
    assert gs.grader_leftovers() == []


def test_the_output_cap_still_matches_nbclient():
    """The child caps output by wrapping nbclient's NotebookClient.output; a signature change
    in an nbclient release must fail here, not silently lose outputs."""
    from ttpbook.grading.child import OUTPUT_HOOK_PARAMETERS, output_hook

    original = output_hook()
    import inspect
    assert list(inspect.signature(original).parameters) == OUTPUT_HOOK_PARAMETERS
