"""Can a reader read every chart, on a laptop and on a phone? (issue 12)

Each page of the built site is opened in Chromium (network blocked) at three screen widths. For
every chart the test measures how wide it is drawn against its own width and the text column, the
smallest text it puts on screen (computed font size x drawn scale), text cut off, and where its
controls sit; for the page, whether it scrolls sideways. The measuring code is in
site_tools.measure_layout; a fixture page with the squeezed chart the book used to print shows
that it fails when it should.
"""

import shutil
from pathlib import Path

import pytest

import site_tools
from test_site_browser import controls_that_change_nothing

PAGES = site_tools.toc_pages()
CHART_PAGES = ["chapters/background", "chapters/reading-the-op-ed", "chapters/talks-2021-22",
               "chapters/policy-coherence", "chapters/data-and-sources"]
FIXTURE = Path(__file__).parent / "fixtures" / "layout" / "squeezed-chart.html"
PHONE = 390


@pytest.fixture
def context_at(browser):
    """A browser context of the given screen width (closed after the test)."""
    opened = []

    def make(width: int, height: int | None = None, **options):
        context = browser.new_context(viewport={"width": width, "height": height or site_tools.LAYOUT_VIEWPORTS.get(width, 900)},
                                      **options)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


def _measure(context, url: str) -> dict:
    audit = site_tools.PageAudit(context, url).open(wait_ms=300)
    try:
        assert audit.problems() == [], (url, audit.problems())
        return site_tools.measure_layout(audit.page)
    finally:
        audit.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", sorted(site_tools.LAYOUT_VIEWPORTS, reverse=True))
def test_every_chart_is_readable(width, site_url, context_at):
    """Every chart fills its column (or is drawn at >= 90 % of its own width), is not squeezed, has
    no text under 11 px (10 px on a phone) on screen, nothing cut off, its controls above or below
    it; and no page scrolls sideways."""
    context = context_at(width)
    problems, charts = [], 0
    for page in PAGES:
        figures = _measure(context, f"{site_url}{page}.html")
        charts += len(figures["charts"])
        problems += site_tools.layout_problems(figures, page)
    assert charts >= 14, f"only {charts} charts found on the site"
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1024, 1440])
def test_no_page_scrolls_sideways(width, site_url, context_at):
    context = context_at(width)
    overflowing = []
    for page in PAGES:
        figures = _measure(context, f"{site_url}{page}.html")
        if figures["overflow"] > 0:
            overflowing.append(f"{page} at {width} px scrolls sideways by {figures['overflow']} px")
    assert overflowing == [], "\n".join(overflowing)


@pytest.mark.browser
def test_controls_fit_a_phone(site_url, context_at):
    """On a phone every chart control is labelled, as wide as the chart box and at least 44 px high."""
    context = context_at(PHONE)
    problems, controls = [], 0
    for page in CHART_PAGES:
        figures = _measure(context, f"{site_url}{page}.html")
        controls += len(figures["controls"])
        problems += site_tools.control_problems(figures, page)
    assert controls >= 20, f"only {controls} chart controls found"
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
@pytest.mark.parametrize("page", CHART_PAGES)
def test_every_chart_control_changes_its_chart_on_a_phone(page, site_url, context_at):
    """As test_site_browser's check at laptop width, at phone width: each control, used where it
    now sits (under the chart), changes what its chart draws."""
    audit = site_tools.PageAudit(context_at(PHONE), f"{site_url}{page}.html").open()
    idle, checked = controls_that_change_nothing(audit, f"{page} at {PHONE} px")
    assert checked >= 1
    assert idle == []
    assert audit.problems() == []
    audit.close()


def _fixture_site(built_site, tmp_path, with_book_css: bool) -> Path:
    """A copy of the site's _static (for its Vega bundle) with the squeezed-chart fixture page."""
    site = tmp_path / "site"
    shutil.copytree(built_site["html"] / "_static", site / "_static")
    html = FIXTURE.read_text()
    if with_book_css:
        html = html.replace("<!-- BOOK_CSS -->", '<link rel="stylesheet" href="../_static/book.css">')
    (site / "fixture").mkdir()
    (site / "fixture" / "squeezed-chart.html").write_text(html)
    return site


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, PHONE])
def test_the_measurement_fails_on_a_squeezed_chart(width, built_site, context_at, tmp_path):
    """Negative control: the chart box as Altair styles it (a flex row, controls beside the chart)
    under the theme's svg rule must be reported as squeezed, with text too small to read."""
    with site_tools.serve(_fixture_site(built_site, tmp_path, with_book_css=False)) as base:
        figures = _measure(context_at(width), f"{base}fixture/squeezed-chart.html")
    problems = site_tools.layout_problems(figures, "fixture")
    chart = figures["charts"][0]
    assert chart["scale"] < 0.9, chart
    assert any("squeezed" in p for p in problems), problems
    assert any("smallest text" in p for p in problems), problems
    assert any("controls sit beside the chart" in p for p in problems), problems


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, PHONE])
def test_the_book_stylesheet_unsqueezes_the_same_chart(width, built_site, context_at, tmp_path):
    """The same fixture with the book's stylesheet: the chart is drawn at its own size, its
    controls under it, and the page does not scroll sideways (on a phone the figure scrolls in
    its own box, with the cue)."""
    with site_tools.serve(_fixture_site(built_site, tmp_path, with_book_css=True)) as base:
        figures = _measure(context_at(width), f"{base}fixture/squeezed-chart.html")
    assert site_tools.layout_problems(figures, "fixture") == []
    assert figures["charts"][0]["scale"] >= 0.99
    if width == PHONE:
        assert figures["charts"][0]["scrolls"], figures["charts"][0]


@pytest.mark.browser
def test_dark_mode_keeps_the_charts_contrast(site_url, context_at):
    """In the theme's dark mode a chart keeps its white ground, so its dark text and the palette
    keep their contrast."""
    context = context_at(1280, color_scheme="dark")
    audit = site_tools.PageAudit(context, f"{site_url}chapters/data-and-sources.html")
    audit.page.add_init_script("localStorage.setItem('theme', 'dark'); localStorage.setItem('mode', 'dark');")
    audit.open(wait_ms=300)
    colours = audit.page.evaluate("""() => {
        const box = document.querySelector('.vega-embed');
        const label = box.querySelector('svg.marks text');
        return {theme: document.documentElement.dataset.theme, ground: getComputedStyle(box).backgroundColor,
                text: getComputedStyle(label).fill, page: getComputedStyle(document.body).backgroundColor,
                control: getComputedStyle(box.querySelector('.vega-bind')).color};
    }""")
    audit.close()
    assert colours["theme"] == "dark", colours
    assert colours["page"] != "rgb(255, 255, 255)", colours
    assert colours["ground"] == "rgb(255, 255, 255)", colours
    assert colours["control"] == "rgb(34, 34, 34)", colours


@pytest.mark.browser
def test_print_shows_the_chapter_not_the_site(site_url, context_at):
    """Printed (print media, A4 width): no navigation, every chart within the page width with its
    caption, and each citation followed by the work it cites, with its URL."""
    context = context_at(794, 1123)
    for page in ["chapters/background", "chapters/references"]:
        audit = site_tools.PageAudit(context, f"{site_url}{page}.html")
        audit.page.emulate_media(media="print")
        audit.open(wait_ms=300)
        found = audit.page.evaluate("""() => {
            const shown = (sel) => [...document.querySelectorAll(sel)].filter(e => getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().width > 0).length;
            const width = document.documentElement.clientWidth;
            const charts = [...document.querySelectorAll('.vega-embed svg.marks')].map(s => {
                const r = s.getBoundingClientRect();
                return {left: r.left, right: r.right, width: r.width,
                        caption: !!s.closest('figure') && !!s.closest('figure').querySelector('figcaption')};
            });
            const link = document.querySelector('.bd-article a.reference.internal[href*="references.html#"][title*="URL: http"]');
            return {nav: shown('.bd-sidebar-primary, .bd-header, .bd-sidebar-secondary, .prev-next-area'),
                    width, charts, overflow: document.documentElement.scrollWidth - width,
                    after: link ? getComputedStyle(link, '::after').content : null,
                    cited: link ? link.getAttribute('title') : null};
        }""")
        audit.close()
        assert found["nav"] == 0, (page, found)
        assert found["overflow"] <= 0, (page, found)
        for chart in found["charts"]:
            assert chart["left"] >= 0 and chart["right"] <= found["width"] + 1 and chart["width"] > 0.8 * found["width"] - 100, (page, chart)
            assert chart["caption"], (page, chart)
        if page.endswith("background"):  # a citation prints the work it cites, URL included
            assert found["cited"] and found["cited"][:30] in found["after"] and "URL: http" in found["after"], found


def test_show_fits_every_figure_to_the_column(monkeypatch):
    """In the book, ``show`` draws single and layered views at the column's width, and fits a
    vertical stack to it (each view at the column's width); the chart builders keep their sizes."""
    from ttpbook import charts, data, render

    monkeypatch.setenv(render.MODE_VARIABLE, "book")
    deaths = charts.deaths_per_year(data.load("ucdp_ged221_pakistan_yearly_by_type"))
    assert deaths.to_dict()["width"] == charts.theme.WIDTH
    assert charts.fit_to_column(deaths).to_dict()["width"] == "container"
    events = data.load("timeline_events")
    stack = charts.fit_to_column(charts.timeline_explorer(events)).to_dict()
    assert stack["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert [view["width"] for view in stack["vconcat"]] == ["container", "container"]
    assert "params" in stack
