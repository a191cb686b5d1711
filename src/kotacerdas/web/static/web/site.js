/* kotacerdas — small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  // Selects that submit their form on change (language switch, map metric): no inline handlers,
  // so the Content-Security-Policy can forbid inline script.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) { el.form.submit(); }
  });

  // Forms whose submission cannot be undone ask first: <form data-confirm="question">.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form && form.hasAttribute && form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);

  // Numbers in charts as in the tables beside them: the page's language decides "2,80" or "2.80".
  function localise(opts) {
    if (opts.kcDecimals === undefined || !window.Intl) { return opts; }
    var lang = (document.documentElement.lang || "id") === "id" ? "id-ID" : "en-GB";
    var fixed = new Intl.NumberFormat(lang, { minimumFractionDigits: opts.kcDecimals, maximumFractionDigits: opts.kcDecimals });
    var plain = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
    var fmt = function (v) { return v === null || v === undefined || v === "-" ? "–" : fixed.format(v); };
    (opts.series || []).forEach(function (s) {
      if (s.label) { s.label.formatter = function (p) { return fmt(Array.isArray(p.value) ? p.value[p.dimensionIndex || 0] : p.value); }; }
    });
    opts.tooltip = opts.tooltip || {};
    opts.tooltip.valueFormatter = fmt;
    ["xAxis", "yAxis"].forEach(function (k) {
      if (opts[k] && opts[k].type === "value") { opts[k].axisLabel = { formatter: function (v) { return plain.format(v); } }; }
    });
    delete opts.kcDecimals;
    return opts;
  }

  function initCharts(root) {
    if (!window.echarts) { return; }
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.ready) { return; }
      // "next": the options sit in the <script type="application/json"> right after the element.
      var src = el.dataset.chart === "next" ? el.nextElementSibling : document.getElementById(el.dataset.chart);
      if (!src) { return; }
      el.dataset.ready = "1";
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(localise(JSON.parse(src.textContent)));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  // Evidence upload with a real progress bar (fetch cannot report upload progress; XHR can).
  function bindUpload(form) {
    if (form.dataset.bound) { return; }
    form.dataset.bound = "1";
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var bar = form.querySelector("progress");
      var status = form.querySelector("[data-upload-status]");
      var button = form.querySelector("button[type=submit]");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "fetch");
      xhr.setRequestHeader("X-CSRFToken", csrf());
      if (bar) { bar.hidden = false; bar.value = 0; }
      if (button) { button.disabled = true; }
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable && bar) {
          bar.value = Math.round(100 * e.loaded / e.total);
          if (status) { status.textContent = bar.value + "%"; }
        }
      });
      xhr.addEventListener("load", function () {
        var card = form.closest(".indicator");
        if (card && xhr.responseText.indexOf("indicator") !== -1) {
          var holder = document.createElement("div");
          holder.innerHTML = xhr.responseText;
          var fresh = holder.querySelector(".indicator");
          if (fresh) {
            card.replaceWith(fresh);
            holder.querySelectorAll("[hx-swap-oob]").forEach(function (oob) {
              var target = document.getElementById(oob.id);
              if (target) { target.replaceWith(oob); }
            });
            if (window.htmx) { window.htmx.process(fresh); }
            bindAll(fresh);
            var focus = fresh.querySelector("[data-upload-result]");
            if (focus) { focus.focus(); }
            return;
          }
        }
        if (status) { status.textContent = xhr.status + " " + xhr.statusText; }
        if (button) { button.disabled = false; }
      });
      xhr.addEventListener("error", function () {
        if (status) { status.textContent = form.dataset.errorText || "Gagal mengunggah"; }
        if (button) { button.disabled = false; }
      });
      xhr.send(new FormData(form));
    });
  }

  function bindAll(root) {
    (root || document).querySelectorAll("form[data-upload]").forEach(bindUpload);
    initCharts(root);
  }

  // What-if: a level that differs from the saved answer marks its row, and only such levels go into the
  // request (the address then names just the changes).
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el && el.matches && el.matches("#whatif-form select[data-saved]")) {
      var row = el.closest(".whatif-row");
      if (row) { row.classList.toggle("changed", el.value !== el.dataset.saved); }
    }
  });
  document.addEventListener("htmx:configRequest", function (e) {
    var form = e.detail && e.detail.elt;
    if (!form || form.id !== "whatif-form") { return; }
    form.querySelectorAll("select[data-saved]").forEach(function (s) {
      if (s.value === s.dataset.saved) { delete e.detail.parameters[s.name]; }
    });
  });

  // Pages that load ECharts only when a chart is asked for (the reach map) draw it with the same locale.
  window.kcCharts = { init: initCharts };

  document.addEventListener("DOMContentLoaded", function () { bindAll(document); });
  document.addEventListener("htmx:afterSwap", function (e) { bindAll(e.target); });
  document.addEventListener("htmx:oobAfterSwap", function (e) { bindAll(e.target); });
})();
