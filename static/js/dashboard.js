/* Leader dashboard: draw the figures embedded in the page with our own plotly.js; no network. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  var figures = source ? JSON.parse(source.textContent) : {};
  // No mode bar (its buttons are English and one links to plot.ly), no logo, no zoom: a chart to read.
  var config = {
    displaylogo: false,
    displayModeBar: false,
    showLink: false,
    showSendToCloud: false,
    showEditInChartStudio: false,
    showTips: false,
    scrollZoom: false,
    doubleClick: false,
    responsive: true
  };
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var figure = figures[element.dataset.chart];
    if (figure && window.Plotly) {
      window.Plotly.newPlot(element, figure.data, figure.layout, config);
    }
  });
  // Changing a selector shows the new period or scope straight away (the button stays for keyboards).
  document.querySelectorAll(".dash-filter select, .dash-filter input[type=checkbox]").forEach(function (input) {
    input.addEventListener("change", function () { input.form.submit(); });
  });
})();
