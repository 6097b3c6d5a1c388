// Small conveniences; every page works without them.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () {
      var d = el.form.querySelector("select[name=desa]");
      if (d) d.value = "";
      el.form.requestSubmit();
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
  // Audience size while choosing it.
  var count = document.getElementById("audience-count");
  if (count) {
    var form = count.closest("form");
    var update = function () {
      var kind = form.querySelector("[name=kind]").value;
      var sel = form.querySelector("[name=value_" + kind + "]");
      var q = new URLSearchParams({ kind: kind, value: sel ? sel.value : "" });
      fetch("/siaran/hitung?" + q.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) { if (j) count.textContent = j.text; });
    };
    form.addEventListener("change", update);
    update();
  }
  // Live broadcast progress.
  var prog = document.querySelector("[data-progress]");
  if (prog) {
    var poll = function () {
      fetch(prog.getAttribute("data-progress"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) {
          if (!j) return;
          prog.textContent = j.text;
          var st = document.getElementById("bc-state");
          if (st) st.textContent = j.state;
          if (!j.final) setTimeout(poll, 2000);
        });
    };
    setTimeout(poll, 2000);
  }
})();
