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
  // A narrow chart (a phone): a title wider than the chart breaks at its space, and the top margin
  // grows to hold the title and the legend above the plot, so that the legend never covers the title.
  function fit(element) {
    var title = element.querySelector(".g-gtitle");
    var legend = element.querySelector(".legend");
    var layout = element.layout;
    if (!title || !layout) { return; }
    var text = layout.title.text;
    if (title.getBoundingClientRect().width > element.clientWidth - 16 && text.indexOf(" ") > 0) {
      // plotly anchors a title's first line at the top: the second line needs its room above.
      var update = { "title.text": text.replace(" ", "<br>"), "title.pad.t": layout.title.pad.t + layout.title.font.size * 1.3 };
      window.Plotly.relayout(element, update).then(function () { fit(element); });
      return;
    }
    var top = element.getBoundingClientRect().top;
    var needed = title.getBoundingClientRect().bottom - top + 10 + (legend ? legend.getBoundingClientRect().height : 0);
    if (needed > layout.margin.t) {
      window.Plotly.relayout(element, { "margin.t": Math.ceil(needed) });
    }
  }
  function draw(element) {
    var figure = figures[element.dataset.chart];
    if (figure && window.Plotly) {
      window.Plotly.react(element, figure.data, figure.layout, config);
      fit(element);
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
