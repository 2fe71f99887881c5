/* The one accessibility repair that must run in the browser, found by axe-core
   (tests/test_accessibility.py). Everything that can be fixed in the page's markup is fixed at
   build time instead (_ext/accessible_markup.py).

   Vega draws a brush rectangle (an interval selection) only when the chart renders, and again on
   every redraw. The rectangle is decoration: the chart's own description names the chart, so it
   is hidden from assistive technology. Redraws are batched: one pass per animation frame, over
   the charts that changed, not the whole page on every DOM mutation. */
(function () {
  var BRUSH = '.vega-embed svg [class$="_brush"]:not([aria-hidden]), .vega-embed svg [class$="_brush_bg"]:not([aria-hidden])';
  var pending = new Set();
  var scheduled = false;

  function repair(root) {
    root.querySelectorAll(BRUSH).forEach(function (el) { el.setAttribute('aria-hidden', 'true'); });
  }
  function flush() {
    scheduled = false;
    pending.forEach(function (chart) { if (chart.isConnected) { repair(chart); } });
    pending.clear();
    document.documentElement.dataset.ttpbookA11yPasses = String(Number(document.documentElement.dataset.ttpbookA11yPasses || 0) + 1);
  }
  function schedule(chart) {
    pending.add(chart);
    if (!scheduled) { scheduled = true; requestAnimationFrame(flush); }
  }
  function start() {
    var charts = document.querySelectorAll('[id^="altair-viz-"]');
    if (!charts.length) { return; }
    charts.forEach(function (chart) {
      schedule(chart);
      new MutationObserver(function () { schedule(chart); }).observe(chart, {childList: true, subtree: true});
    });
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
