// Before the browser prints (Ctrl+P), scale every Plotly chart and table (st.dataframe, a canvas)
// wider than the printable width of an A4 landscape sheet (277 mm = 1047 CSS px, style.css's @page)
// down to it; after, back to 1. Both are drawn at the screen's width and the print layout does not
// redraw them, so one drawn in a wide window would be cut at the sheet's edge (a chart drawn on the
// server, an image at 100 % of its column, follows the sheet by itself). Runs in the page itself (in
// index.html: cchc/ui/serve.py), once per page load.
(function () {
  if (window.__cchcPrint) return;
  window.__cchcPrint = true;
  var PRINTABLE = 1040;
  var SCALED = '[data-testid="stPlotlyChart"], [data-testid="stDataFrame"]';
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll(SCALED).forEach(function (el) {
      var drawn = el.querySelector('svg.main-svg') || el;  // a chart: the drawing, at the width Plotly drew it
      var w = drawn.getBoundingClientRect().width;
      el.style.zoom = w > PRINTABLE ? String(PRINTABLE / w) : '';
    });
  });
  window.addEventListener('afterprint', function () {
    document.querySelectorAll(SCALED).forEach(function (el) { el.style.zoom = ''; });
  });
})();
