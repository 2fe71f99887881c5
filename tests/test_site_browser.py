"""The published site in a real browser with the network blocked: every page, every chart."""

import shutil

import pytest

import site_tools

pytestmark = pytest.mark.browser
PAGES = site_tools.toc_pages()


@pytest.mark.parametrize("page", PAGES)
def test_page_works_offline(page, site_url, browser_context):
    audit = site_tools.PageAudit(browser_context, f"{site_url}{page}.html").open(wait_ms=300)
    try:
        assert audit.problems() == []
    finally:
        audit.close()


def _chart_svg(audit, index=0) -> str:
    return audit.page.locator('[id^="altair-viz-"] svg.marks').nth(index).inner_html()


def test_slider_redraws_the_chart(site_url, browser_context):
    audit = site_tools.PageAudit(browser_context, f"{site_url}chapters/data-and-sources.html").open()
    before = _chart_svg(audit)
    slider = audit.page.locator('.vega-bind input[type="range"]').first
    slider.evaluate("(el) => { el.value = 2005; el.dispatchEvent(new Event('input', {bubbles: true})); }")
    audit.page.wait_for_timeout(300)
    after = _chart_svg(audit)
    assert after != before
    assert audit.problems() == []
    audit.close()


def test_dropdown_redraws_the_chart(site_url, browser_context):
    audit = site_tools.PageAudit(browser_context, f"{site_url}chapters/data-and-sources.html").open()
    before = _chart_svg(audit)
    audit.page.locator(".vega-bind select").first.select_option("high")
    audit.page.wait_for_timeout(300)
    assert _chart_svg(audit) != before
    audit.close()


def test_explorer_snapshot_on_the_data_page(site_url, browser_context):
    """The live explorer appears on the static site as a snapshot drawn at build time: its controls
    shown disabled, with their starting values, and the summary; no widget manager is loaded."""
    audit = site_tools.PageAudit(browser_context, f"{site_url}chapters/data-and-sources.html").open()
    snapshot = audit.page.locator(".ttp-explorer-snapshot").first
    assert snapshot.locator("select[disabled]").count() >= 1
    assert snapshot.locator("select option:checked").first.inner_text().strip()
    assert "deaths in 33 years" in snapshot.inner_text()
    assert audit.page.locator(".jupyter-widgets").count() == 0
    assert not any("html-manager" in s for s in site_tools.script_sources(audit.page.content()))
    audit.close()


def test_figures_have_caption_and_description(site_url, browser_context):
    audit = site_tools.PageAudit(browser_context, f"{site_url}chapters/data-and-sources.html").open()
    figure = audit.page.locator(".ttp-figure").first
    assert figure.locator("figcaption").inner_text().strip()
    figure.locator(".ttp-figure-details summary").click()
    assert figure.locator(".ttp-data-table tr").count() > 10
    assert audit.page.locator('[id^="altair-viz-"] svg[aria-label]').count() >= 1 or \
        audit.page.locator('[id^="altair-viz-"] [aria-roledescription]').count() >= 1
    audit.close()


def test_the_check_fails_on_a_broken_page(built_site, browser_context, tmp_path):
    """Remove the site's own Vega bundle from a copy of a page: the chart must fall back to the
    CDN, be blocked, and the audit must report it. Proves the offline check can fail."""
    broken = tmp_path / "site"
    shutil.copytree(built_site["html"], broken)
    page = broken / "chapters" / "data-and-sources.html"
    html = page.read_text()
    start = html.index('<script src="../_static/vega/vega-bundle.js')
    end = html.index("</script>", start) + len("</script>")
    page.write_text(html[:start] + html[end:])
    with site_tools.serve(broken) as base:
        audit = site_tools.PageAudit(browser_context, f"{base}chapters/data-and-sources.html").open(wait_ms=500)
        problems = audit.problems()
        audit.close()
    assert any("request to another host attempted" in p for p in problems), problems
    assert any("charts drawn" in p or "Error loading script" in p for p in problems), problems


def _svg_texts(audit) -> list[str]:
    return audit.page.eval_on_selector_all('[id^="altair-viz-"] svg text', "els => els.map(e => e.textContent)")


def test_browser_and_python_agree_on_the_coherence_index(site_url, browser_context):
    """The index computed in the browser (Vega) equals ttpbook.models.coherence_index, and moving a
    weight slider changes it."""
    from ttpbook import data, models

    positions = data.load("positions")
    expected = models.coherence_index(positions, ["Federal government", "Military (ISPR)", "KP government / PTI"], "2025-26")
    audit = site_tools.PageAudit(browser_context, f"{site_url}chapters/policy-coherence.html").open()
    assert f"Index: {expected['index']:.2f}" in _svg_texts(audit)
    slider = audit.page.locator(".vega-bind").filter(has_text="Weight: talks with the TTP").locator("input")
    slider.evaluate("(el) => { el.value = 3; el.dispatchEvent(new Event('input', {bubbles: true})); }")
    audit.page.wait_for_timeout(300)
    weighted = models.coherence_index(positions, ["Federal government", "Military (ISPR)", "KP government / PTI"],
                                      "2025-26", weights={"talks with the TTP": 3})
    assert f"Index: {weighted['index']:.2f}" in _svg_texts(audit)
    audit.close()


def test_browser_and_python_agree_on_the_ceasefire_window(site_url, browser_context):
    from ttpbook import charts, data, models

    measures = charts.monthly_measures(data.load("picss_monthly_militant_attacks"), data.load("ucdp_ged221_pakistan_ttp_monthly"))
    means = models.window_means(measures[measures["measure"] == "PICSS: militant attacks"], "2021-11", "2021-12")
    audit = site_tools.PageAudit(browser_context, f"{site_url}chapters/talks-2021-22.html").open()
    texts = _svg_texts(audit)
    for period in ("before", "inside", "after"):
        assert f"{means[period]:.1f}" in texts, (period, means)
    before = audit.page.locator('[id^="altair-viz-"] svg.marks').nth(1).inner_html()
    audit.page.locator(".vega-bind").filter(has_text="Window").locator("select").select_option("2022")
    audit.page.wait_for_timeout(300)
    assert audit.page.locator('[id^="altair-viz-"] svg.marks').nth(1).inner_html() != before
    audit.close()


def test_self_check_gives_feedback_on_a_click(site_url, browser_context):
    """A self-check answer, clicked in the static page, shows feedback (no kernel needed)."""
    audit = site_tools.PageAudit(browser_context, f"{site_url}chapters/reading-the-op-ed.html").open()
    quiz = audit.page.locator("[data-shufflequestions]").first
    quiz.scroll_into_view_if_needed()
    quiz.locator(".MCButton").first.click()
    audit.page.wait_for_timeout(200)
    assert quiz.locator(".Feedback").first.inner_text().strip() != ""
    assert audit.problems() == []
    audit.close()


CHANGE_BINDING = """(el) => {
    el.dataset.saved = JSON.stringify([el.checked, el.selectedIndex, el.value]);
    if (el.type === 'checkbox') { el.checked = !el.checked; }
    else if (el.tagName === 'SELECT') { el.selectedIndex = (el.selectedIndex + 1) % el.options.length; }
    else if (el.type === 'range') { el.value = (Number(el.value) === Number(el.max)) ? el.min : el.max; }
    el.dispatchEvent(new Event(el.tagName === 'SELECT' || el.type === 'checkbox' ? 'change' : 'input', {bubbles: true}));
}"""
RESTORE_BINDING = """(el) => {
    const [checked, index, value] = JSON.parse(el.dataset.saved);
    if (el.type === 'checkbox') { el.checked = checked; } else if (el.tagName === 'SELECT') { el.selectedIndex = index; }
    else { el.value = value; }
    el.dispatchEvent(new Event(el.tagName === 'SELECT' || el.type === 'checkbox' ? 'change' : 'input', {bubbles: true}));
}"""


def controls_that_change_nothing(audit, where: str) -> tuple[list[str], int]:
    """Use each control bound under each chart on the open page (scrolled to where it sits) and
    return the controls that changed nothing their chart draws, and how many were checked."""
    containers = audit.page.locator('[id^="altair-viz-"]')
    idle, checked = [], 0
    for index in range(containers.count()):
        container = containers.nth(index)
        controls = container.locator(".vega-bind input, .vega-bind select")
        for c in range(controls.count()):
            controls.nth(c).scroll_into_view_if_needed()
            if not controls.nth(c).is_visible():
                idle.append(f"{where}, chart {index + 1}: control {c + 1} is not visible")
                continue
            before = container.locator("svg.marks").inner_html()
            controls.nth(c).evaluate(CHANGE_BINDING)
            audit.page.wait_for_timeout(150)
            label = controls.nth(c).evaluate("(el) => el.closest('.vega-bind').innerText")
            if container.locator("svg.marks").inner_html() == before:
                idle.append(f"{where}, chart {index + 1}: control {label!r} changed nothing")
            controls.nth(c).evaluate(RESTORE_BINDING)
            audit.page.wait_for_timeout(100)
            checked += 1
    return idle, checked


@pytest.mark.parametrize("page", [p for p in PAGES if p.startswith("chapters/")])
def test_every_chart_control_changes_its_chart(page, site_url, browser_context):
    """Each control bound under a chart (drop-down, slider, check box) changes what that chart draws."""
    audit = site_tools.PageAudit(browser_context, f"{site_url}{page}.html").open()
    idle, _ = controls_that_change_nothing(audit, page)
    assert idle == []
    assert audit.problems() == []
    audit.close()
