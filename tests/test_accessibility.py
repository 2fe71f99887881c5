"""axe-core (from npm, served locally) on every page of the built site: no serious or critical
WCAG 2.1 A/AA violations. The count of lesser findings is printed for the record."""

import pytest

import site_tools

pytestmark = pytest.mark.browser
AXE = site_tools.ROOT / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
    return result.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                                        where: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


@pytest.mark.parametrize("page", site_tools.toc_pages())
def test_no_serious_accessibility_violations(page, site_url, browser_context, record_property):
    audit = site_tools.PageAudit(browser_context, f"{site_url}{page}.html").open(wait_ms=800)
    audit.page.add_script_tag(content=AXE.read_text())
    violations = audit.page.evaluate(RUN_AXE)
    audit.close()
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    others = [v for v in violations if v["impact"] not in ("serious", "critical")]
    record_property("minor_or_moderate", sum(v["nodes"] for v in others))
    print(f"{page}: {len(others)} minor/moderate rule(s) on {sum(v['nodes'] for v in others)} element(s): "
          f"{[v['id'] for v in others]}")
    assert serious == []


BRUSH_STATE = """() => {
    const marks = [...document.querySelectorAll('.vega-embed svg [class$="_brush"], .vega-embed svg [class$="_brush_bg"]')];
    return {marks: marks.length, hidden: marks.filter(m => m.getAttribute('aria-hidden') === 'true').length,
            passes: Number(document.documentElement.dataset.ttpbookA11yPasses || 0)};
}"""


def test_the_runtime_repair_runs_again_after_a_chart_redraws(site_url, browser_context):
    """_static/accessibility.js hides Vega's brush rectangles, batched per animation frame. Take the
    repair off, then draw a brush on the timeline's overview strip: the redraw brings it back.
    Control: with no redraw, the repair stays off (so it is the redraw that triggers it)."""
    audit = site_tools.PageAudit(browser_context, f"{site_url}chapters/background.html").open(wait_ms=300)
    page = audit.page
    first = page.evaluate(BRUSH_STATE)
    assert first["marks"] >= 2 and first["hidden"] == first["marks"] and first["passes"] >= 1
    page.evaluate("""() => document.querySelectorAll('.vega-embed svg [aria-hidden="true"][class*="_brush"]')
                          .forEach(m => m.removeAttribute('aria-hidden'))""")
    page.wait_for_timeout(300)
    unrepaired = page.evaluate(BRUSH_STATE)
    assert unrepaired["hidden"] == 0 and unrepaired["passes"] == first["passes"]

    chart = page.locator('[id^="altair-viz-"]:has([class$="_brush_bg"])').first
    chart.scroll_into_view_if_needed()
    strip = chart.locator('[class$="_brush_bg"]').first.bounding_box()
    box = chart.bounding_box()
    y = strip["y"] + 20
    page.mouse.move(strip["x"] + 40, y)
    page.mouse.down()
    page.mouse.move(strip["x"] + 200, y, steps=8)
    page.mouse.up()
    page.wait_for_timeout(300)
    after = page.evaluate(BRUSH_STATE)
    audit.close()
    assert box["height"] > 0
    assert after["passes"] > first["passes"], "no repair pass after the chart redrew"
    assert after["hidden"] == after["marks"], after
