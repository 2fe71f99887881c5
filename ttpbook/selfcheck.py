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
    """Display already-converted questions (see ``parse`` and ``framing_questions``)."""
    from jupyterquiz import display_quiz

    display_quiz(questions, colors=QUIZ_COLOURS, shuffle_answers=shuffle_answers, max_width=720)
