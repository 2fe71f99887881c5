"""Self-check questions that work on the static site with no kernel.

Questions are written in the chapter as YAML, in a code cell whose input is hidden::

    selfcheck('''
    - question: "When was the TTP founded?"
      answers:
        - text: "December 2007"
          correct: true
          feedback: "Right: ..."
        - text: "August 2021"
          correct: false
          feedback: "No: that is when ..."
    ''')

They are displayed with JupyterQuiz (its JavaScript is embedded in the page, so the
questions work offline in the browser). Every option must carry feedback.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .static_figure import escape_markdown

# Colours chosen for contrast (WCAG AA) against the white button text JupyterQuiz uses.
QUIZ_COLOURS = {
    "--jq-multiple-choice-bg": "#1f4e79",
    "--jq-many-choice-bg": "#6a3d9a",
    "--jq-numeric-bg": "#1f4e79",
    "--jq-mc-button-bg": "#ffffff",
    "--jq-mc-button-border": "#8a8a8a",
    "--jq-mc-button-inset-shadow": "#555555",
    "--jq-numeric-input-bg": "#ffffff",
    "--jq-numeric-input-label": "#101010",
    "--jq-correct-color": "#0b6e2b",
    "--jq-incorrect-color": "#a3140d",
    "--jq-text-color": "#ffffff",
    "--jq-link-color": "#cfe3ff",
}


def parse(text: str) -> list[dict]:
    """Check the YAML questions and convert them to JupyterQuiz's format."""
    items = yaml.safe_load(text)
    if not isinstance(items, list) or not items:
        raise ValueError("Self-check: expected a YAML list of questions.")
    questions = []
    for number, item in enumerate(items, start=1):
        where = f"Self-check question {number}"
        if not isinstance(item, dict) or not str(item.get("question", "")).strip():
            raise ValueError(f"{where}: needs a 'question'.")
        answers = item.get("answers") or []
        if len(answers) < 2:
            raise ValueError(f"{where}: needs at least two answers.")
        converted = []
        for option, answer in enumerate(answers, start=1):
            if not str(answer.get("text", "")).strip():
                raise ValueError(f"{where}, answer {option}: needs 'text'.")
            if not str(answer.get("feedback", "")).strip():
                raise ValueError(f"{where}, answer {option}: every answer needs 'feedback'.")
            converted.append({"answer": str(answer["text"]), "correct": bool(answer.get("correct", False)),
                              "feedback": str(answer["feedback"])})
        correct = sum(a["correct"] for a in converted)
        if correct == 0:
            raise ValueError(f"{where}: no answer is marked correct.")
        questions.append({"question": str(item["question"]),
                          "type": "multiple_choice" if correct == 1 else "many_choice",
                          "answers": converted})
    return questions


def selfcheck(text: str) -> None:
    """Display the questions in ``text`` (YAML) as an interactive self-check.

    Answers are shuffled in the reader's browser, so the right answer is not always in the
    position the author happened to write it in."""
    show_questions(parse(text), shuffle_answers=True)


FRAMING_LABELS = ["fact", "attributed claim", "opinion", "loaded term"]
FRAMING_HINTS = {
    "fact": "A fact can be checked against evidence and is stated without needing a source's say-so.",
    "attributed claim": "An attributed claim tells you who says it: the sentence reports a claim, it does not vouch for it.",
    "opinion": "An opinion is a judgement or a recommendation: evidence can inform it but cannot settle it.",
    "loaded term": "A loaded term is a word that carries a judgement (praise or blame) in place of a neutral description.",
}


def framing_questions(sentences, limit: int | None = None) -> list[dict]:
    """'Spot the framing' questions from a table with text, origin, label and explanation columns.

    Each sentence becomes a question with the four labels as options; the right option gives the
    explanation, each wrong option says what that label would mean and then explains.
    """
    rows = sentences.head(limit) if limit else sentences
    questions = []
    for row in rows.itertuples():
        if row.label not in FRAMING_LABELS:
            raise ValueError(f"framing sentence {row.sentence_id}: unknown label {row.label!r}")
        answers = []
        for label in FRAMING_LABELS:
            if label == row.label:
                feedback = f"Yes. {row.explanation}"
            else:
                feedback = f"Not quite. {FRAMING_HINTS[label]} Here: {row.explanation}"
            answers.append({"answer": label, "correct": label == row.label, "feedback": feedback})
        source = "the op-ed" if row.origin == "op-ed" else "a neutral report"
        questions.append({"question": f"From {source}: “{row.text}” Which is it?", "type": "multiple_choice",
                          "answers": answers})
    return questions


def show_questions(questions: list[dict], shuffle_answers: bool = False) -> None:
    """Display already-converted questions (see ``parse`` and ``framing_questions``).

    The website shows JupyterQuiz's interactive version. The same outputs also carry a printed
    version (``text/markdown``: the questions with lettered options, no answers), which the PDF
    and EPUB builds choose instead; the answers are in the appendix (``answers_markdown``)."""
    from IPython.display import display
    from IPython.utils.capture import capture_output
    from jupyterquiz import display_quiz

    with capture_output(stdout=False, stderr=False, display=True) as captured:
        display_quiz(questions, colors=QUIZ_COLOURS, shuffle_answers=shuffle_answers, max_width=720)
    printed = questions_markdown(questions)
    for index, output in enumerate(captured.outputs):
        # The first output carries the printed questions; the rest (the quiz's script) print nothing.
        data = {**output.data, "text/markdown": printed if index == 0 else PRINT_NOTHING}
        display(data, metadata=output.metadata, raw=True)


# An output's printed form when it has nothing to print (the quiz's script). Not empty: an empty
# representation is dropped, and the build would fall back to the script.
PRINT_NOTHING = "<!-- printed editions: nothing to print -->"
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def questions_markdown(questions: list[dict]) -> str:
    """The questions as they print: numbered, each option lettered, answers left out."""
    lines = [":::{admonition} Check your understanding (printed edition)", ":class: ttp-print-selfcheck", "",
             "Choose an answer for each question, then compare with the appendix *Answers to self-checks*.", ""]
    for number, question in enumerate(questions, start=1):
        lines.append(f"{number}. {escape_markdown(question['question'])}")
        lines.append("")
        for letter, answer in zip(LETTERS, question["answers"]):
            lines.append(f"   ({letter}) {escape_markdown(answer['answer'])}  ")
        lines.append("")
    lines.append(":::")
    return "\n".join(lines) + "\n"


# --- the answers appendix of the printed editions ---------------------------------------------

def _displays_questions(source: str) -> bool:
    return "selfcheck(" in source or "show_questions(" in source


def collect(chapter: str | Path) -> tuple[str, list[dict]]:
    """A chapter's title and every self-check question it displays, in the order it shows them.

    Runs only the chapter's self-check cells (after the book's preamble), with ``selfcheck`` and
    ``show_questions`` replaced by recorders, so the appendix holds exactly what the page shows."""
    import jupytext

    notebook = jupytext.read(Path(chapter))
    title = next((line[2:].strip() for cell in notebook.cells if cell.cell_type == "markdown"
                  for line in cell.source.splitlines() if line.startswith("# ")), Path(chapter).stem)
    recorded: list[dict] = []
    namespace: dict = {}
    exec("from ttpbook.preamble import *", namespace)  # noqa: S102 - the book's own chapter code
    namespace["selfcheck"] = lambda text: recorded.extend(parse(text))
    namespace["show_questions"] = lambda questions, shuffle_answers=False: recorded.extend(questions)
    for cell in notebook.cells:
        if cell.cell_type == "code" and _displays_questions(cell.source):
            exec(cell.source, namespace)  # noqa: S102
    return title, recorded


def answers_markdown(chapters: list[str | Path]) -> str:
    """The appendix 'Answers to self-checks': per chapter, each question, its right answer and the
    feedback on every option, lettered as in the printed questions."""
    lines: list[str] = []
    for chapter in chapters:
        title, questions = collect(chapter)
        if not questions:
            continue
        lines += [f"### Answers: {escape_markdown(title)}", ""]
        for number, question in enumerate(questions, start=1):
            right = [f"({letter})" for letter, answer in zip(LETTERS, question["answers"]) if answer["correct"]]
            lines += [f"**{number}. {escape_markdown(question['question'])}**", "",
                      f"Answer: {' and '.join(right)}.", ""]
            for letter, answer in zip(LETTERS, question["answers"]):
                verdict = "right" if answer["correct"] else "not right"
                lines.append(f"- ({letter}) {escape_markdown(answer['answer'])} ({verdict}): "
                             f"{escape_markdown(answer['feedback'])}")
            lines.append("")
    return "\n".join(lines) + "\n"
