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
  // A bar or point carrying a link (customdata: a path on this server) opens its detail table.
  function follow(event) {
    var url = event && event.points && event.points.length ? event.points[0].customdata : null;
    if (typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/") {
      window.location.assign(url);
    }
  }
  function draw(element) {
    var figure = figures[element.dataset.chart];
    if (figure && window.Plotly) {
      window.Plotly.react(element, figure.data, figure.layout, config);
      element.classList.toggle("linked", figure.data.some(function (trace) { return trace.customdata; }));
      if (!element.dataset.follows) {
        element.on("plotly_click", follow);
        element.dataset.follows = "1";
      }
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
