/* Document viewer zoom (phóng to / thu nhỏ / vừa chiều rộng; issue 11): buttons and the keys + − 0.
   Plain JS; without it the scan is shown fitted to its column, as before. */
(function () {
  "use strict";
  var bar = document.getElementById("zoom-bar");
  var figure = document.querySelector(".page-scan");
  var img = figure && figure.querySelector("img");
  if (!bar || !img) return;
  var STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
  var KEY = "viewer-zoom";
  var shown = document.getElementById("zoom-level");
  var level = 1;
  try { level = parseFloat(window.sessionStorage.getItem(KEY)) || 1; } catch (e) { level = 1; }
  function apply(next) {
    level = Math.min(STEPS[STEPS.length - 1], Math.max(STEPS[0], next));
    img.style.width = Math.round(level * 100) + "%";
    img.style.maxWidth = "none";
    figure.classList.toggle("zoomed", level > 1);
    figure.setAttribute("data-zoom", String(level));
    if (shown) shown.textContent = Math.round(level * 100) + " %";
    try { window.sessionStorage.setItem(KEY, String(level)); } catch (e) { /* private mode */ }
  }
  function step(direction) {
    var i = STEPS.indexOf(level);
    if (i < 0) i = STEPS.indexOf(1);
    apply(STEPS[Math.min(STEPS.length - 1, Math.max(0, i + direction))]);
  }
  bar.hidden = false;
  bar.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("button[data-zoom]") : null;
    if (!b) return;
    var what = b.getAttribute("data-zoom");
    if (what === "in") step(1); else if (what === "out") step(-1); else apply(1);
  });
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;  // the browser's own zoom stays the browser's
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
    if (e.key === "+" || e.key === "=") { step(1); e.preventDefault(); }
    else if (e.key === "-" || e.key === "\u2212") { step(-1); e.preventDefault(); }
    else if (e.key === "0") { apply(1); e.preventDefault(); }
  });
  apply(level);
})();
