/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  // Forms that change something irreversible ask first (revoke an account).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { e.preventDefault(); return; }
    // GET forms (search, filters): leave empty fields out, and choices left at their default
    // (data-default: the grouping, the order), so the shared URL stays short.
    if ((form.method || "").toLowerCase() === "get") {
      var emptied = [];
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.disabled || (el.tagName !== "INPUT" && el.tagName !== "SELECT")) return;
        var plain = el.type !== "checkbox" && el.type !== "radio";
        var byDefault = el.hasAttribute("data-default") && el.value === el.getAttribute("data-default") &&
            (el.type !== "radio" || el.checked);
        if ((plain && el.value === "") || byDefault) {
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

  // Staff autocomplete (gợi ý cán bộ) by name or code prefix, in the user's scope: the search box
  // (a choice opens the dossier) and the upload form's staff code (a choice fills the code).
  // Without this script both are plain inputs.
  var SUGGEST_URL = "/tra-cuu/goi-y";
  function ensureStyles() {
    if (document.querySelector('link[href*="search.css"]')) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = "/static/search.css";
    document.head.appendChild(link);
  }
  function autocomplete(input) {
    var url = input.getAttribute("data-autocomplete") || SUGGEST_URL;
    var go = input.hasAttribute("data-autocomplete-go");
    var list = input.getAttribute("aria-controls") && document.getElementById(input.getAttribute("aria-controls"));
    if (!list) {
      list = document.createElement("ul");
      list.id = (input.id || "staff") + "-suggest";
      list.className = "suggest hidden";
      list.setAttribute("role", "listbox");
      input.parentNode.insertBefore(list, input.nextSibling);
      input.setAttribute("aria-controls", list.id);
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-expanded", "false");
    }
    if (list.parentNode) list.parentNode.classList.add("suggest-anchor");
    var items = [], active = -1, timer = null, asked = "";

    function close() {
      list.classList.add("hidden");
      list.textContent = "";
      items = []; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function mark(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, n) {
        li.setAttribute("aria-selected", n === i ? "true" : "false");
      });
      if (i >= 0) input.setAttribute("aria-activedescendant", list.children[i].id);
    }
    function choose(i) {
      var item = items[i];
      if (!item) return;
      close();
      if (go) { window.location.href = item.url; return; }
      input.value = item.code;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function show(staff) {
      list.textContent = "";
      items = staff;
      if (!staff.length) { close(); return; }
      staff.forEach(function (s, n) {
        var li = document.createElement("li");
        li.id = list.id + "-" + n;
        li.setAttribute("role", "option");
        var name = document.createElement("strong");
        name.textContent = s.name;
        var code = document.createElement("span");
        code.className = "code";
        code.textContent = " " + s.code;
        var facts = document.createElement("div");
        facts.className = "facts";
        facts.textContent = [s.birth, s.unit, s.status].filter(Boolean).join(" · ");
        li.appendChild(name); li.appendChild(code); li.appendChild(facts);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(n); });
        list.appendChild(li);
      });
      list.classList.remove("hidden");
      input.setAttribute("aria-expanded", "true");
      mark(-1);
    }
    function ask() {
      var text = input.value.trim();
      if (text.length < 2 || text.indexOf('"') >= 0) { close(); return; }
      if (text === asked) return;
      asked = text;
      var xhr = new XMLHttpRequest();
      xhr.open("GET", url + "?q=" + encodeURIComponent(text));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.onload = function () {
        if (xhr.status !== 200 || input.value.trim() !== text) return;
        try { show(JSON.parse(xhr.responseText).staff || []); } catch (err) { close(); }
      };
      xhr.send();
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      asked = "";
      timer = window.setTimeout(ask, 200);
    });
    input.addEventListener("keydown", function (e) {
      if (!items.length) return;
      if (e.key === "ArrowDown") { e.preventDefault(); mark((active + 1) % items.length); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark(active <= 0 ? items.length - 1 : active - 1); }
      else if (e.key === "Escape") { close(); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(active); }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 100); });
  }
  var inputs = document.querySelectorAll("input[data-autocomplete], #upload-form #staff_code");
  if (inputs.length && window.XMLHttpRequest) {
    ensureStyles();
    Array.prototype.forEach.call(inputs, autocomplete);
  }
})();
