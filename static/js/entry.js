/* Entry form: live ratios, a light check as the clerk types, Enter moves to the next box (never submits). */
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form) { return; }

  function toHalfWidth(text) {
    return text.replace(/[\uFF10-\uFF19\uFF0E\uFF0C\uFF0D]/g, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) - 0xFEE0);
    });
  }

  function parse(text) {
    var t = toHalfWidth(text || "").replace(/\s+/g, "");
    if (t === "") { return { empty: true }; }
    if (/^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/.test(t)) { t = t.replace(/,/g, ""); }
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) { return { error: "请填写数字（如 12 或 3.5），不能填写文字或符号。" }; }
    return { value: parseFloat(t), places: (t.split(".")[1] || "").replace(/0+$/, "").length };
  }

  // Same rules as metrics/validation.py; the server checks again and has the last word.
  function check(input) {
    var p = parse(input.value);
    if (p.empty) { return ""; }
    if (p.error) { return p.error; }
    var unit = input.dataset.unit, decimals = parseInt(input.dataset.decimals, 10) || 0;
    var percent = unit === "%" || input.dataset.kind === "rate";
    if (p.value < 0) { return "不能为负数。"; }
    if (decimals === 0 && !percent && p.places > 0) { return "单位为「" + unit + "」，只能填写整数。"; }
    if (p.places > decimals) { return "最多保留 " + decimals + " 位小数。"; }
    if (percent && p.value > 100) { return "百分比应在 0 到 100 之间。"; }
    return "";
  }

  function show(input) {
    var box = document.getElementById("e_" + input.name.slice(2));
    var message = check(input);
    var live = box.querySelector(".live");
    if (!live) { live = document.createElement("span"); live.className = "err live"; box.prepend(live); }
    live.textContent = message;
    input.classList.toggle("invalid", message !== "");
    input.setAttribute("aria-invalid", message ? "true" : "false");
  }

  function valueOf(code) {
    var input = form.querySelector('[name="v_' + code + '"]');
    if (!input) { return undefined; }
    var p = parse(input.value);
    return p.empty || p.error ? null : p.value;
  }

  function ratios() {
    form.querySelectorAll("tr.ratio").forEach(function (row) {
      var num = valueOf(row.dataset.num), den = valueOf(row.dataset.den);
      var out = row.querySelector(".ratio-value");
      if (num === undefined || den === undefined) { return; }  // read-only page: the server's figure stays
      if (num === null || den === null || den === 0) { out.textContent = "—"; return; }
      out.textContent = (num / den * 100).toFixed(parseInt(row.dataset.decimals, 10) || 2) + "%";
    });
  }

  var fields = Array.prototype.slice.call(form.querySelectorAll("input.value, input.note"));
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input.value"));
  fields.forEach(function (input) {
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        // Enter moves down to the next figure, as in a spreadsheet (Shift+Enter up); Tab reaches the note.
        // Submitting takes a deliberate click on a button.
        event.preventDefault();
        var row = input.closest("tr");
        var here = boxes.indexOf(row.querySelector("input.value"));
        var next = boxes[here + (event.shiftKey ? -1 : 1)];
        if (next) { next.focus(); next.select(); }
      }
    });
    if (input.classList.contains("value")) {
      input.addEventListener("input", function () { show(input); ratios(); });
    }
  });
  ratios();
})();
