// Review pages: a form with data-confirm (审核通过, the bulk approval) asks before it is sent.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
})();

// The top 退回 / 重新打开 lead to their reason box at the bottom: put the cursor in it.
document.querySelectorAll('.review.top a[href^="#reason-"]').forEach(function (link) {
  link.addEventListener("click", function () {
    var box = document.querySelector(link.getAttribute("href"));
    if (box) {
      window.setTimeout(function () { box.focus(); }, 0);
    }
  });
});
