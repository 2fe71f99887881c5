"""The printed forms of charts and self-checks (pure Python, no build): what the PDF and EPUB show."""

from __future__ import annotations

import base64
import re

import altair as alt
import pandas as pd
import pytest

from ttpbook import charts, selfcheck, static_figure

TABLE = pd.DataFrame({"year": [2020, 2021, 2022], "deaths": [10, 20, 15], "kind": ["a", "b", "a"]})


def chart_with_every_control() -> alt.Chart:
    measure = charts.dropdown("measure", ["a", "b"], "a", "Measure")
    start = charts.slider("start", 2020, 2022, 1, 2020, "From year")
    brush = charts.x_brush()
    return (alt.Chart(TABLE).mark_bar()
            .encode(x="year:O", y="deaths:Q")
            .add_params(measure, start, brush))


def test_interactive_features_name_each_control_in_plain_words():
    features = static_figure.interactive_features(chart_with_every_control().to_dict())
    assert "a drop-down menu (Measure)" in features
    assert "a slider (From year)" in features
    assert "dragging across the chart to select or zoom" in features


def test_a_chart_without_controls_says_nothing_about_interaction():
    chart = alt.Chart(TABLE).mark_line().encode(x="year:Q", y="deaths:Q")
    assert static_figure.interactive_features(chart.to_dict()) == []
    assert "interactive" not in static_figure.figure_markdown(chart, "Caption.", "Description.")


def test_figure_markdown_is_a_named_figure_with_svg_alt_text_caption_and_source():
    text = static_figure.figure_markdown(chart_with_every_control(), "Deaths rose, then fell.",
                                         'A bar chart of "deaths" per year.', source="A table (CC BY 4.0)")
    head, _, caption = text.partition("\n\n")
    match = re.match(r":::\{figure\} data:image/svg\+xml;base64,(\S+)\n", head)
    assert match, head[:120]
    svg = base64.b64decode(match.group(1)).decode("utf-8")
    assert svg.lstrip().startswith("<svg") and "</svg>" in svg
    assert re.search(r"^:name: fig-[0-9a-f]{12}$", head, re.MULTILINE)
    assert ":alt: A bar chart of 'deaths' per year." in head
    assert caption.startswith("Deaths rose, then fell. Source: A table (CC BY 4.0)")
    assert "In the online edition this chart is interactive: a drop-down menu (Measure)" in caption
    assert text.rstrip().endswith(":::")


def test_captions_cannot_inject_markup():
    assert static_figure.escape_markdown("*bold* [link](x) <b>") == r"\*bold\* \[link\](x) \<b\>"


QUESTIONS = selfcheck.parse('''
- question: "Which came first?"
  answers:
    - text: "The founding"
      correct: true
      feedback: "Right: it came first."
    - text: "The merger"
      feedback: "No: that came later."
''')


MYST_HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

"""


def test_printed_questions_letter_the_options_and_hide_the_answers():
    text = selfcheck.questions_markdown(QUESTIONS)
    assert "1. Which came first?" in text
    assert "(a) The founding" in text and "(b) The merger" in text
    assert "Right" not in text and "correct" not in text


def test_answers_markdown_names_the_right_letter_and_gives_every_feedback(tmp_path):
    chapter = tmp_path / "chapter.md"
    chapter.write_text(MYST_HEADER + "# A chapter\n\n```{code-cell} ipython3\nselfcheck(\'\'\'\n"
                       "- question: \"Which came first?\"\n  answers:\n"
                       "    - text: \"The merger\"\n      feedback: \"No: later.\"\n"
                       "    - text: \"The founding\"\n      correct: true\n      feedback: \"Right: first.\"\n"
                       "\'\'\')\n```\n")
    text = selfcheck.answers_markdown([chapter])
    assert "### Answers: A chapter" in text
    assert "Answer: (b)." in text
    assert "(a) The merger (not right): No: later." in text
    assert "(b) The founding (right): Right: first." in text


def test_show_questions_gives_every_output_a_printed_form():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()  # displays go through a shell's publisher, as in a kernel
    with capture_output() as captured:
        selfcheck.show_questions(QUESTIONS)
    shown = [output.data for output in captured.outputs]
    assert len(shown) >= 2, "expected the quiz and its script"
    assert all(out.get("text/markdown") for out in shown), "an output has no printed form"
    assert "(a) The founding" in shown[0]["text/markdown"]
    assert "text/html" in shown[0] and any("application/javascript" in out for out in shown)


@pytest.mark.parametrize("caption", ["", None])
def test_show_still_refuses_a_chart_without_a_caption(caption):
    with pytest.raises(ValueError):
        charts.show(chart_with_every_control(), caption=caption, description="x")
