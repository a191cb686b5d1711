/* Choropleths with Leaflet and GeoJSON only (no tiles, no network beyond this site). */
(function () {
  "use strict";
  var NODATA = "#b4b4b4";

  function classes(el) { return JSON.parse(el.dataset.classes); }

  function colourFor(value, cls) {
    if (value === null || value === undefined) { return NODATA; }
    for (var i = 0; i < cls.length; i++) {
      if (value < cls[i].max || i === cls.length - 1) { return cls[i].colour; }
    }
    return NODATA;
  }

  function fmt(v, lang) {
    return (lang === "en" ? v.toFixed(2) : v.toFixed(2).replace(".", ","));
  }

  // " (a, b)" from the non-empty parts (a withheld predicate is null), "" when there are none.
  function tip(parts) {
    var shown = parts.filter(function (p) { return p; });
    return shown.length ? " (" + shown.join(", ") + ")" : "";
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    });
  }

  function setup(el) {
    var map = L.map(el, { zoomSnap: 0.5, attributionControl: true, scrollWheelZoom: false });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(el.dataset.attribution || "");
    return map;
  }

  // ECharts is fetched on the first series asked for (the map page itself does not need it).
  var echartsLoading = null;
  function withEcharts(src, done) {
    if (window.echarts || !src) { done(); return; }
    if (!echartsLoading) {
      echartsLoading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = src; s.onload = resolve; s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    echartsLoading.then(done, function () {});
  }

  // A kecamatan's monthly series under the map (the same part the table's links ask for).
  function showSeries(el, code) {
    var box = document.getElementById("seri");
    if (!box || !el.dataset.series) { return; }
    var url = el.dataset.series + encodeURIComponent(code);
    if (window.htmx) {
      window.htmx.ajax("GET", url, { target: "#seri", swap: "innerHTML" });
    } else {
      window.location.href = url.replace("&bagian=seri", "") + "#seri";
    }
  }

  document.addEventListener("htmx:afterSwap", function (e) {
    if (!e.target || e.target.id !== "seri") { return; }
    var el = document.querySelector("[data-map=region]");
    withEcharts(el && el.dataset.echarts, function () { if (window.kcCharts) { window.kcCharts.init(e.target); } });
    e.target.scrollIntoView({ block: "nearest" });
  });

  function regionMap(el) {
    var map = setup(el), lang = el.dataset.lang, cls = classes(el), empty = el.dataset.empty;
    var status = document.getElementById(el.dataset.status);
    var desaLayer = null;
    Promise.all([getJSON(el.dataset.geo), getJSON(el.dataset.data)]).then(function (res) {
      var geo = res[0], data = res[1], served = {}, lagging = {};
      (data.served || []).forEach(function (c) { served[c] = true; });
      (data.lagging || []).forEach(function (c) { lagging[c] = true; });
      var layer = L.geoJSON(geo, {
        style: function (f) {
          var v = data.values[f.properties.kode];
          var k = f.properties.kode;
          return { color: lagging[k] ? "#b3261e" : (served[k] ? "#1b2430" : "#7b8794"),
                   weight: lagging[k] ? 3 : (served[k] ? 2 : 1), dashArray: lagging[k] ? "6 4" : null,
                   fillColor: colourFor(v, cls), fillOpacity: 0.85 };
        },
        onEachFeature: function (f, lyr) {
          var v = data.values[f.properties.kode];
          lyr.bindTooltip(f.properties.nama + ": " + (v === undefined ? empty : fmt(v, lang) + " " + (data.unit || ""))
                          + (lagging[f.properties.kode] ? " (" + (el.dataset.lagging || "") + ")" : ""));
          lyr.on("click", function () { showSeries(el, f.properties.kode); });
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds());
      if (status) { status.textContent = Object.keys(data.values).length ? "" : empty; }
      map.on("zoomend", function () {
        if (map.getZoom() >= 10.5 && !desaLayer && el.dataset.desa) {
          getJSON(el.dataset.desa).then(function (g) {
            desaLayer = L.geoJSON(g, { style: { color: "#4a5563", weight: 0.6, fill: false, dashArray: "2 3" },
              onEachFeature: function (f, lyr) { lyr.bindTooltip(f.properties.nama); } });
            if (map.getZoom() >= 10.5) { desaLayer.addTo(map); }
          });
        } else if (desaLayer) {
          if (map.getZoom() >= 10.5) { desaLayer.addTo(map); } else { map.removeLayer(desaLayer); }
        }
      });
    }).catch(function () { if (status) { status.textContent = el.dataset.error; } });
  }

  function nationalMap(el) {
    var map = setup(el), lang = el.dataset.lang, cls = classes(el), empty = el.dataset.empty;
    var status = document.getElementById(el.dataset.status);
    if (status) { status.textContent = el.dataset.loading; }
    Promise.all([getJSON(el.dataset.geo), getJSON(el.dataset.data)]).then(function (res) {
      var geo = res[0], data = res[1].results;
      var layer = L.geoJSON(geo, {
        style: function (f) {
          var r = data[f.properties.kode];
          return { color: "#5b6675", weight: 0.4, fillColor: colourFor(r ? r.index : null, cls), fillOpacity: 0.9 };
        },
        onEachFeature: function (f, lyr) {
          var r = data[f.properties.kode];
          lyr.bindTooltip((r ? r.name : f.properties.nama) + ": " + (r ? fmt(r.index, lang) + tip([r.predicate, r.rank ? "#" + r.rank : ""]) : empty));
          if (el.dataset.regionUrl) {  // a click opens the region's page
            lyr.on("click", function () { window.location.href = el.dataset.regionUrl.replace("00.00", f.properties.kode); });
          }
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds());
      if (status) { status.textContent = ""; }
    }).catch(function () { if (status) { status.textContent = el.dataset.error; } });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.L) { return; }
    document.querySelectorAll("[data-map=region]").forEach(regionMap);
    document.querySelectorAll("[data-map=national]").forEach(nationalMap);
  });
})();
