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

import yaml

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
    """Display the questions in ``text`` (YAML) as an interactive self-check."""
    from jupyterquiz import display_quiz

    display_quiz(parse(text), colors=QUIZ_COLOURS, shuffle_answers=False, max_width=720)
