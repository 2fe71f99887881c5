"""Imported by the hidden first cell of every chapter: ``from ttpbook.preamble import *``."""

import altair as alt  # noqa: F401
import pandas as pd  # noqa: F401

from . import charts, models, theme, widgets  # noqa: F401
from .charts import show  # noqa: F401
from .data import load, load_json  # noqa: F401
from .render import enable_renderer
from .selfcheck import framing_questions, selfcheck, show_questions  # noqa: F401
from .sources import short_citation  # noqa: F401

theme.enable()
enable_renderer()

__all__ = ["alt", "pd", "charts", "models", "widgets", "show", "load", "load_json", "selfcheck",
           "framing_questions", "show_questions", "short_citation"]
