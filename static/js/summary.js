/* Half-year summary pages: figure sources on click, export progress polling, indicator filter. No external assets. */
(function () {
  "use strict";

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function table(headers, rows) {
    var t = el("table", null, "source-table"), head = el("tr");
    headers.forEach(function (h) { head.appendChild(el("th", h)); });
    t.appendChild(head);
    rows.forEach(function (r) {
      var tr = el("tr");
      r.forEach(function (c, i) { tr.appendChild(el("td", c, i > 0 ? "num" : "")); });
      t.appendChild(tr);
    });
    return t;
  }

  // --- where a figure comes from ---------------------------------------------
  var sourcesNode = document.getElementById("figure-sources");
  var panel = document.getElementById("source-panel");
  if (sourcesNode && panel) {
    var sources = JSON.parse(sourcesNode.textContent);
    var show = function (target) {
      var info = sources[target.dataset.code];
      if (!info) return;
      document.querySelectorAll(".fig.active, .gap.active").forEach(function (n) { n.classList.remove("active"); });
      target.classList.add("active");
      document.getElementById("source-title").textContent = info.name + "：" + target.textContent;
      var body = document.getElementById("source-body");
      body.textContent = "";
      body.appendChild(el("p", info.area + " · 代码 " + info.code + " · 责任单位 " + (info.responsible || "—"), "small muted"));
      body.appendChild(el("p", "汇总方式：" + info.how, "small"));
      if (info.departments.length) {
        body.appendChild(el("h3", "来源单位"));
        body.appendChild(table(["单位", "本期", "上年同期"], info.departments.map(function (d) { return [d.name, d.value, d.previous]; })));
      } else {
        body.appendChild(el("p", "没有单位报送本期已审核数据。", "gap-text"));
      }
      if (info.months.length) {
        body.appendChild(el("h3", "各月（全县）"));
        body.appendChild(table(["月份", "数值"], info.months.map(function (m) { return [m.month, m.value]; })));
      }
      if (info.missing_months && info.missing_months.length) {
        body.appendChild(el("p", "未报送月份：" + info.missing_months.join("、"), "small gap-text"));
      }
      panel.hidden = false;
      panel.scrollIntoView({ block: "nearest" });
    };
    document.addEventListener("click", function (event) {
      var target = event.target.closest(".fig, .gap");
      if (target) show(target);
    });
    document.addEventListener("keydown", function (event) {
      if ((event.key === "Enter" || event.key === " ") && event.target.classList.contains("fig")) {
        event.preventDefault();
        show(event.target);
      }
    });
  }

  // --- export progress -------------------------------------------------------
  var exportsBox = document.getElementById("exports");
  if (exportsBox && exportsBox.dataset.poll) {
    var url = exportsBox.dataset.poll;
    var open = function () { return exportsBox.querySelector('tr[data-state="queued"], tr[data-state="running"]'); };
    var update = function (row, e) {
      row.dataset.state = e.state;
      var cell = row.querySelector(".state-cell");
      cell.textContent = "";
      cell.appendChild(el("span", e.state_label, "state state-" + e.state));
      if (e.state === "queued" || e.state === "running") {
        var bar = el("progress"); bar.max = 100; bar.value = e.progress; bar.textContent = e.progress + "%";
        cell.appendChild(bar);
      }
      if (e.error) cell.appendChild(el("div", e.error, "error-text"));
      if (e.download) {
        var action = row.querySelector(".action-cell");
        action.textContent = "";
        var a = el("a", "下载", "button"); a.href = e.download;
        action.appendChild(a);
      }
    };
    var poll = function () {
      if (!open()) return;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var reload = false;
          data.exports.forEach(function (e) {
            var row = exportsBox.querySelector('tr[data-id="' + e.id + '"]');
            if (!row) return;
            var was = row.dataset.state;
            update(row, e);
            if (was !== e.state && e.state === "failed") reload = true;  // the retry button comes from the server
          });
          if (reload) { window.location.reload(); return; }
          window.setTimeout(poll, 1000);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 500);
  }

  // --- a problem's link selects the bad text in the editor --------------------------
  var bodyField = document.getElementById("id_body");
  document.querySelectorAll(".problems a.jump, .digit-warnings a.jump").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!bodyField) return;
      event.preventDefault();
      var line = parseInt(link.dataset.line, 10);
      if (!line) { document.getElementById("id_title").focus(); return; }
      var lines = bodyField.value.split("\n"), start = 0;
      for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
      var within = link.dataset.text ? lines[line - 1].indexOf(link.dataset.text) : -1;
      var from = within >= 0 ? start + within : start;
      var to = within >= 0 ? from + link.dataset.text.length : start + (lines[line - 1] || "").length;
      bodyField.focus();
      bodyField.setSelectionRange(from, to);
      // Scroll the textarea so that the place is in view (wrapped lines: proportional to the text).
      var share = bodyField.value.length ? from / bodyField.value.length : 0;
      bodyField.scrollTop = Math.max(0, share * bodyField.scrollHeight - bodyField.clientHeight / 3);
    });
  });

  // --- indicator filter in the editor -----------------------------------------
  var filter = document.getElementById("indicator-filter");
  if (filter) {
    filter.addEventListener("input", function () {
      var q = filter.value.trim().toLowerCase();
      document.querySelectorAll("#indicator-table tbody tr").forEach(function (tr) {
        tr.hidden = q && tr.textContent.toLowerCase().indexOf(q) === -1;
      });
    });
  }
})();
