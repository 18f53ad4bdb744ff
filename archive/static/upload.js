/* Tải lên: drag and drop many files, one XMLHttpRequest per file (upload progress), then
   poll the pipeline state of each document until it is indexed or failed. Without this
   script the form still posts every file at once. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var msg = JSON.parse(document.getElementById("upload-messages").textContent);
  var csrf = form.querySelector("input[name=csrf]").value;
  var input = document.getElementById("files");
  var zone = document.getElementById("dropzone");
  var count = document.getElementById("drop-count");
  var rows = document.getElementById("upload-rows");
  var summary = document.getElementById("upload-summary");
  var staffInput = document.getElementById("staff_code");
  var staffFound = document.getElementById("staff-found");
  var doneBox = document.getElementById("upload-done");
  var dossierLink = document.getElementById("upload-dossier-link");
  var typeSelect = form.querySelector("[name=document_type]");
  var chosen = [];
  var watching = {};   // document id → row
  var pollTimer = null;
  var CONCURRENT = 2;

  function text(el, value) { el.textContent = value; }

  function setState(row, state, label, note) {
    row.setAttribute("data-state", state);
    var cell = row.querySelector(".c-state");
    cell.textContent = "";
    var badge = document.createElement("span");
    badge.className = "state state-" + state;
    badge.textContent = label;
    cell.appendChild(badge);
    if (note) {
      var n = document.createElement("span");
      n.className = "muted note";
      n.textContent = " " + note;
      cell.appendChild(n);
    }
  }

  function addRow(file) {
    var tr = document.createElement("tr");
    tr.className = "upload-row";
    var name = document.createElement("td");
    name.className = "file";
    name.textContent = file.name;
    // A document type per file (issue 16): each row has its own, following the form's choice
    // until the archivist picks another one for this file.
    var own = typeSelect.cloneNode(true);
    own.removeAttribute("id");
    own.removeAttribute("name");
    own.className = "row-type";
    own.value = typeSelect.value;
    own.setAttribute("aria-label", msg["upload.type_of"].replace("{name}", file.name));
    own.addEventListener("change", function () { own.setAttribute("data-own", "1"); });
    var typeCell = document.createElement("td");
    typeCell.className = "c-type";
    typeCell.appendChild(own);
    var prog = document.createElement("td");
    prog.className = "c-progress";
    var bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    prog.appendChild(bar);
    var state = document.createElement("td");
    state.className = "c-state";
    tr.appendChild(name); tr.appendChild(prog); tr.appendChild(state); tr.appendChild(typeCell);
    rows.appendChild(tr);
    setState(tr, "waiting", msg["state.waiting"]);
    return tr;
  }

  typeSelect.addEventListener("change", function () {
    Array.prototype.forEach.call(rows.querySelectorAll("select.row-type:not([data-own]):not([disabled])"),
      function (sel) { sel.value = typeSelect.value; });
  });

  function choose(files) {
    for (var i = 0; i < files.length; i++) chosen.push({ file: files[i], row: addRow(files[i]) });
    text(count, chosen.length ? msg["upload.selected"].replace("{n}", chosen.length) : "");
  }

  input.addEventListener("change", function () { choose(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach(function (ev) {
    zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) { if (e.dataTransfer) choose(e.dataTransfer.files); });

  function getJSON(url, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      done(xhr.status, body);
    };
    xhr.onerror = function () { done(0, null); };
    xhr.send();
  }

  staffInput.addEventListener("change", function () {
    var code = staffInput.value.trim();
    text(staffFound, "");
    staffFound.classList.remove("error");
    if (!code) return;
    getJSON("/tai-len/can-bo?ma=" + encodeURIComponent(code), function (status, body) {
      if (status === 200 && body) {
        text(staffFound, body.full_name + " — " + body.unit_name + " (" + body.status + ")");
      } else if (body && body.detail) {
        staffFound.classList.add("error");
        text(staffFound, body.detail);
      }
    });
  });

  function sessionExpired() {
    summary.classList.add("error");
    text(summary, msg["upload.session_expired"]);
    window.setTimeout(function () {
      window.location.href = "/dang-nhap?next=" + encodeURIComponent(location.pathname + location.search);
    }, 2500);
  }

  function upload(item, staffCode, docType, next) {
    var row = item.row;
    var bar = row.querySelector("progress");
    var data = new FormData();
    data.append("file", item.file, item.file.name);
    data.append("staff_code", staffCode);
    var own = row.querySelector("select.row-type");
    if (own) own.disabled = true;
    data.append("document_type", own ? own.value : docType);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/tai-len/tep");
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) bar.value = Math.round(e.loaded * 100 / e.total);
    };
    setState(row, "uploading", msg["state.uploading"]);
    xhr.onload = function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status === 401) { sessionExpired(); }
      if (xhr.status >= 200 && xhr.status < 300 && body) {
        bar.value = 100;
        row.setAttribute("data-doc-id", body.id);
        setState(row, body.state, body.label, body.created === false ? msg["upload.duplicate"] : body.error);
        if (!body.final) watching[body.id] = row;
        if (!pollTimer) pollTimer = window.setTimeout(poll, 1000);
        dossierLink.href = "/ho-so/" + encodeURIComponent(body.staff_code);
      } else {
        // the error table's sentence, or one naming the file (never a bare status or a library's text)
        setState(row, "upload_failed", msg["state.upload_failed"],
                 body && body.detail ? body.detail : msg["upload.file_failed"].replace("{file}", item.file.name));
      }
      next();
    };
    xhr.onerror = function () {
      setState(row, "upload_failed", msg["state.upload_failed"], msg["upload.network_error"]);
      next();
    };
    xhr.send(data);
  }

  function poll() {
    var ids = Object.keys(watching);
    if (!ids.length) { pollTimer = null; finished(); return; }
    getJSON("/tai-len/trang-thai?" + ids.map(function (i) { return "id=" + i; }).join("&"), function (status, body) {
      if (status === 401) { sessionExpired(); return; }
      if (status === 200 && body) {
        body.documents.forEach(function (d) {
          var row = watching[d.id];
          if (!row) return;
          if (row.getAttribute("data-state") !== d.state) setState(row, d.state, d.label, d.error);
          if (d.final) delete watching[d.id];
        });
      }
      if (!Object.keys(watching).length) { pollTimer = null; finished(); return; }
      pollTimer = window.setTimeout(poll, 1500);
    });
  }

  // How each final state counts in the summary. "needs_review": indexed, but OCR review flagged a
  // page (blank, turned, unsure: archive.services.ocr_review); the server sends it with the reasons.
  var OK_STATES = ["indexed"], FAILED_STATES = ["failed", "upload_failed"], REVIEW_STATES = ["needs_review"];

  function tally() {
    var n = { ok: 0, failed: 0, review: 0 };
    Array.prototype.forEach.call(rows.querySelectorAll("tr[data-state]"), function (row) {
      var s = row.getAttribute("data-state");
      if (OK_STATES.indexOf(s) >= 0) n.ok++;
      else if (FAILED_STATES.indexOf(s) >= 0) n.failed++;
      else if (REVIEW_STATES.indexOf(s) >= 0) n.review++;
    });
    return n;
  }

  function finished() {
    var pending = rows.querySelectorAll("tr[data-state=waiting], tr[data-state=uploading]").length;
    if (pending || Object.keys(watching).length) return;
    var n = tally();
    var bad = n.failed > 0 || n.review > 0;
    var line = !bad ? msg["upload.all_done"] : !n.failed ? ""
      : msg["upload.done_with_failures"].replace("{ok}", n.ok).replace("{failed}", n.failed);
    if (n.review) line += (line ? " " : "") + msg["upload.needs_review"].replace("{n}", n.review);
    summary.classList.toggle("error", n.failed > 0);  // needs review is amber on each row, not an error
    summary.classList.toggle("success", !bad);
    summary.setAttribute("data-ok", n.ok);
    summary.setAttribute("data-failed", n.failed);
    summary.setAttribute("data-review", n.review);
    text(summary, line);
    if (n.ok && dossierLink.getAttribute("href") !== "#") doneBox.classList.remove("hidden");
  }

  // Rows rendered by the server (the no-script fallback) are watched too.
  Array.prototype.forEach.call(rows.querySelectorAll("tr[data-doc-id]"), function (row) {
    var s = row.getAttribute("data-state");
    if (s !== "indexed" && s !== "failed") watching[row.getAttribute("data-doc-id")] = row;
  });
  if (Object.keys(watching).length) pollTimer = window.setTimeout(poll, 1000);

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var staffCode = staffInput.value.trim();
    var docType = form.querySelector("[name=document_type]").value;
    summary.classList.remove("error");
    if (!staffCode) { summary.classList.add("error"); text(summary, msg["upload.need_staff"]); staffInput.focus(); return; }
    if (!chosen.length) { summary.classList.add("error"); text(summary, msg["upload.need_files"]); input.focus(); return; }
    var submit = document.getElementById("upload-submit");
    submit.disabled = true;
    // Look the dossier up again right before sending: no file leaves the browser for a staff
    // code that is unknown, out of scope, or could not be checked.
    getJSON("/tai-len/can-bo?ma=" + encodeURIComponent(staffCode), function (status, body) {
      submit.disabled = false;
      if (status === 401) { sessionExpired(); return; }
      if (status !== 200 || !body) {
        var reason = body && body.detail ? body.detail : msg["upload.network_error"];
        summary.classList.add("error");
        summary.classList.remove("success");
        text(summary, msg["upload.not_sent"].replace("{reason}", reason));
        staffFound.classList.add("error");
        text(staffFound, reason);
        staffInput.focus();
        return;  // the chosen files stay chosen: fix the code and send again
      }
      staffFound.classList.remove("error");
      text(staffFound, body.full_name + " — " + body.unit_name + " (" + body.status + ")");
      send(staffCode, docType);
    });
  });

  function send(staffCode, docType) {
    var queue = chosen.slice();
    chosen = [];
    text(count, "");
    text(summary, "");
    summary.classList.remove("error", "success");
    doneBox.classList.add("hidden");
    var active = 0;
    function next() {
      if (active > 0) active--;
      while (active < CONCURRENT && queue.length) {
        active++;
        upload(queue.shift(), staffCode, docType, next);
      }
      if (!active && !queue.length && !pollTimer) finished();
    }
    next();
  }
})();
