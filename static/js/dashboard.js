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
  function draw(element) {
    var figure = figures[element.dataset.chart];
    if (figure && window.Plotly) {
      window.Plotly.react(element, figure.data, figure.layout, config);
    }
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
  // An area's picker swaps its two charts to another headline indicator (already in the page).
  document.querySelectorAll("select[data-area]").forEach(function (picker) {
    picker.addEventListener("change", function () {
      var section = picker.closest(".area-panel");
      var option = picker.options[picker.selectedIndex];
      section.querySelectorAll("[data-chart]").forEach(function (element) {
        element.dataset.chart = element.dataset.chart.split(":")[0] + ":" + picker.value;
        draw(element);
      });
      section.querySelectorAll("a.detail-link").forEach(function (link) {
        var url = option.getAttribute("data-" + link.dataset.kind + "-url");
        if (url) { link.href = url; }
      });
    });
  });
  // Changing a selector shows the new period or scope straight away (the button stays for keyboards).
  document.querySelectorAll(".dash-filter select, .dash-filter input[type=checkbox]").forEach(function (input) {
    input.addEventListener("change", function () { input.form.submit(); });
  });
})();
