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
