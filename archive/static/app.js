/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  // Forms that change something irreversible ask first (revoke an account).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { e.preventDefault(); return; }
    // GET forms (search, filters): leave empty fields out, so the shared URL stays short.
    if ((form.method || "").toLowerCase() === "get") {
      var emptied = [];
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name && !el.disabled && (el.tagName === "INPUT" || el.tagName === "SELECT") &&
            el.type !== "checkbox" && el.type !== "radio" && el.value === "") {
          el.disabled = true;
          emptied.push(el);
        }
      });
      // re-enable after the browser has read the form (Back shows the page as it was)
      window.setTimeout(function () { emptied.forEach(function (el) { el.disabled = false; }); }, 0);
    }
  });
  // The page viewer scrolls to the first highlighted term; keep it below the sticky header.
  var first = document.getElementById("m1");
  if (first && location.hash === "#m1") first.scrollIntoView({ block: "center" });
})();
