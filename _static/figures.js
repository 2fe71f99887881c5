/* A chart wider than the column (a figure of several views side by side or stacked) keeps its size
   and scrolls sideways inside its own box (see book.css, "Chart boxes"); so does a wide table on a
   phone ("Pages on narrow screens"). This marks such a box, so
   the reader sees a shadow on the side with more and a line saying so, and lets the keyboard
   scroll it. Charts draw after the page has loaded, and the column changes with the window,
   so it checks again whenever a chart box changes size or content. */
(function () {
  var HINT = 'This figure is wider than your screen: swipe or scroll sideways on it to see all of it.';
  var TABLE_HINT = 'This table is wider than your screen: swipe or scroll sideways on it to see all of it.';

  function update(box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    box.classList.toggle('ttp-scrolls', scrolls);
    box.classList.toggle('ttp-scrolled-to-end', scrolls && box.scrollLeft + box.clientWidth >= box.scrollWidth - 1);
    if (scrolls && !box.hasAttribute('tabindex')) { box.setAttribute('tabindex', '0'); }
    var hint = box.nextElementSibling;
    if (!hint || !hint.classList.contains('ttp-scroll-hint')) {
      if (!scrolls) { return; }
      hint = document.createElement('p');
      hint.className = 'ttp-scroll-hint';
      hint.textContent = box.tagName === 'TABLE' ? TABLE_HINT : HINT;
      box.insertAdjacentElement('afterend', hint);
    }
    hint.classList.toggle('ttp-visible', scrolls);
  }

  function watch(box) {
    if (box.dataset.ttpWatched) { return; }
    box.dataset.ttpWatched = '1';
    var check = function () { update(box); };
    box.addEventListener('scroll', check, { passive: true });
    if (window.ResizeObserver) { new ResizeObserver(check).observe(box); }
    new MutationObserver(check).observe(box, { childList: true, subtree: true, attributes: true, attributeFilter: ['width'] });
    check();
  }

  function start() {
    document.querySelectorAll('.vega-embed, [id^="altair-viz-"], .bd-article table:not(.ttp-data-table)').forEach(watch);
  }

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
  window.addEventListener('load', start);
  window.addEventListener('resize', function () {
    document.querySelectorAll('.vega-embed, .bd-article table:not(.ttp-data-table)').forEach(update);
  });
})();
