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


def test_widgets_render_on_the_data_page(site_url, browser_context):
    audit = site_tools.PageAudit(browser_context, f"{site_url}chapters/data-and-sources.html").open()
    assert audit.page.locator(".jupyter-widgets .widget-dropdown").count() >= 1
    assert audit.page.locator(".jupyter-widgets .widget-slider").count() >= 1
    assert "deaths in 33 years" in audit.page.inner_text("body")
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
