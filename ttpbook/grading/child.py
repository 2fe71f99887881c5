"""The grading process inside a sandbox: grade one notebook with otter's own machinery and write a small JSON result.

Runs as ``python -I -m ttpbook.grading.child JOB.json`` inside the sandbox (see ``sandbox``), as
the sandbox's user, never in the grader itself. Output of the submission's cells is capped, and
only the scores, the plain-language failure messages and the names of cell errors leave the
sandbox: never test code or expected values.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

from .masters import source_of
from .submissions import clip, first_line

OUTPUT_HOOK_PARAMETERS = ["self", "outs", "msg", "display_id", "cell_index"]


def output_hook():
    """nbclient's ``NotebookClient.output``, which the child wraps to cap output; fails loudly
    if an nbclient release changes its signature (the wrapper would then lose outputs)."""
    import nbclient.client

    original = nbclient.client.NotebookClient.output
    found = list(inspect.signature(original).parameters)
    if found != OUTPUT_HOOK_PARAMETERS:
        raise RuntimeError(f"nbclient's NotebookClient.output takes {found}, not {OUTPUT_HOOK_PARAMETERS}: "
                           "update ttpbook/grading/child.py for this nbclient release")
    return original


def run_job(job_path: str) -> int:
    """Runs inside the sandbox, as the sandbox's user: grade with otter's own machinery and
    write a compact JSON result. Output of the submission's cells is capped."""
    job = json.loads(Path(job_path).read_text())
    result: dict[str, Any] = {"finished": False}
    state = {"bytes": 0, "truncated": False}
    try:
        import nbclient.client

        original_output = output_hook()

        def capped_output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            size = len(content.get("text", "") or "")
            for value in (content.get("data") or {}).values():
                size += len(value) if isinstance(value, str) else len(json.dumps(value))
            size += sum(len(t) for t in content.get("traceback", []) or [])
            state["bytes"] += size
            if state["bytes"] > job["max_output_bytes"]:
                if not state["truncated"]:
                    state["truncated"] = True
                    import nbformat

                    outs.append(nbformat.v4.new_output("stream", name="stderr",
                                                       text="[output truncated by the grader]\n"))
                return None
            return original_output(self, outs, msg, display_id, cell_index)

        nbclient.client.NotebookClient.output = capped_output

        from otter.run import main as otter_run

        results = otter_run(job["submission"], autograder=job["autograder"], output_dir=None,
                            no_logo=True)
        result = {"finished": True, "questions": _summarise(results),
                  "cell_errors": _cell_errors(results.notebook),
                  "output_truncated": state["truncated"]}
    except MemoryError as error:
        result = {"finished": False, "error_type": "memory", "message": f"MemoryError: {error}"}
    except BaseException as error:  # noqa: BLE001 - everything must end up in the result
        name = type(error).__name__
        kind = "kernel-died" if name == "DeadKernelError" else "error"
        result = {"finished": False, "error_type": kind, "message": clip(f"{name}: {error}", 500)}
    Path(job["result"]).write_text(json.dumps(result))
    return 0


_EXCEPTION_LINE = re.compile(r"^\s*(?:[\w.]+Error|[\w.]+Exception|AssertionError|StopIteration)\b.*$")


def _student_message(message: str | None) -> str:
    """The last exception line of a failed doctest (the assert's message), never its code."""
    if not message:
        return ""
    lines = [l.strip() for l in str(message).splitlines() if l.strip()]
    for line in lines:   # doctest goes on after a failure: the first exception is the informative one
        if _EXCEPTION_LINE.match(line):
            text = line.split(":", 1)[1].strip() if ":" in line else line
            kind = line.split(":", 1)[0].strip().rsplit(".", 1)[-1]
            if kind == "AssertionError":
                return text or "a check failed"
            if kind == "NameError":
                return f"not answered: {text}"
            return f"{kind}: {text}"
    return "a check failed"


def _summarise(results: Any) -> dict[str, dict]:
    out = {}
    for name, test_file in results.results.items():
        messages = []
        for case in test_file.test_case_results:
            if case.passed:
                continue
            label = "hidden test" if case.test_case.hidden else "public test"
            messages.append(f"{label}: {_student_message(case.message)}")
        out[name] = {"score": float(test_file.score), "possible": float(test_file.possible),
                     "messages": messages}
    return out


_OTTER_CELL_PREFIXES = ("from otter import Notebook as", "from otter.execute import Checker",
                        "import sys\nsys.path.append(", "notebook_")


def _cell_errors(nb: Any) -> list[str]:
    errors = []
    if nb is None:
        return errors
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        src = source_of(cell)
        if src.startswith(_OTTER_CELL_PREFIXES) or re.match(r"notebook_\w+\(\)\.check", src):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append(f"{output.get('ename')} in the cell starting {first_line(src, 60)!r}"
                              + (f": {first_line(str(output.get('evalue', '')), 80)}" if output.get("evalue") else ""))
    return errors


if __name__ == "__main__":
    sys.exit(run_job(sys.argv[1]))
