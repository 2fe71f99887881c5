/* Accessibility repairs for third-party components, found by axe-core (tests/test_accessibility.py).
   Each repair names the component and the rule it satisfies. Runs on every page, and again
   whenever charts or widgets finish drawing (they render after the page has loaded). */
(function () {
  function repair(root) {
    /* pydata-sphinx-theme search buttons: the aria-label "Search" hides the visible text
       "Search Ctrl+K" (WCAG 2.5.3, label in name): let the visible text name the button. */
    root.querySelectorAll('.search-button-field[aria-label="Search"]').forEach(function (el) {
      el.removeAttribute('aria-label');
    });
    /* Icon-font glyphs inside labelled buttons (colour-mode switch, search, full screen):
       the glyph is drawn as text, which then contradicts the button's label (WCAG 2.5.3). */
    /* Font Awesome's script may already have turned an <i> into an <svg> with a <title>. */
    root.querySelectorAll('button[aria-label] i, button[aria-label] svg, .btn[aria-label] i, .btn[aria-label] svg').forEach(function (el) {
      if (el.getAttribute('aria-hidden') !== 'true') { el.setAttribute('aria-hidden', 'true'); }
      if (el.hasAttribute('title')) { el.removeAttribute('title'); }
      el.querySelectorAll('title').forEach(function (t) { t.remove(); });
    });
    /* Vega brush rectangles are decoration; the chart's own description names the chart. */
    root.querySelectorAll('.vega-embed svg [class$="_brush"], .vega-embed svg [class$="_brush_bg"]').forEach(function (el) {
      el.setAttribute('aria-hidden', 'true');
    });
    /* ipywidgets sliders (noUiSlider): give each handle the widget's visible label. */
    root.querySelectorAll('.widget-slider').forEach(function (widget) {
      var label = widget.querySelector('.widget-label');
      var name = label && label.textContent.trim();
      widget.querySelectorAll('.noUi-handle').forEach(function (handle, i) {
        if (!handle.getAttribute('aria-label')) {
          handle.setAttribute('aria-label', (name || 'Value') + (widget.querySelectorAll('.noUi-handle').length > 1 ? (i ? ' (upper)' : ' (lower)') : ''));
        }
      });
    });
    /* Sphinx bibliography: role="list" whose items carry the deprecated doc-biblioentry role. */
    root.querySelectorAll('.citation-list[role="list"]').forEach(function (el) {
      el.removeAttribute('role');
    });
  }
  function start() {
    repair(document);
    new MutationObserver(function () { repair(document); }).observe(document.body, {childList: true, subtree: true});
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
