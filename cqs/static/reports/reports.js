/* Field-report maps and small helpers. No inline script: everything hangs off data-attributes.
   Without CQS_MAP_TILE_URL no tiles are loaded: markers are drawn on a plain background. */
(function () {
  "use strict";
  var CENTER = [20.9515, 107.078]; // Hạ Long

  function makeMap(el, zoom) {
    var map = L.map(el, { attributionControl: !!el.dataset.tiles }).setView(CENTER, zoom || 12);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    // The stylesheet giving the container its height may apply after this runs: measure again.
    window.addEventListener("load", function () { map.invalidateSize(); });
    if (window.ResizeObserver) {
      new ResizeObserver(function () { map.invalidateSize(); }).observe(el);
    }
    return map;
  }

  function dot(latlng, open) {
    return L.circleMarker(latlng, {
      radius: 8, weight: 2, color: "#fff", fillOpacity: 0.9,
      fillColor: open ? "#c0392b" : "#1e7b46",
    });
  }

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function listMap(el) {
    var markers = data(el.dataset.markers) || [];
    var map = makeMap(el, 12);
    var bounds = [];
    markers.forEach(function (m) {
      var link = document.createElement("a");
      link.href = m.url;
      link.textContent = m.code + " — " + m.title + " (" + m.status + ")";
      dot([m.lat, m.lon], m.open).bindPopup(link).addTo(map);
      bounds.push([m.lat, m.lon]);
    });
    if (bounds.length > 1) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 }); }
    else if (bounds.length === 1) { map.setView(bounds[0], 15); }
  }

  function singleMap(el) {
    var m = data(el.dataset.single);
    if (!m) { return; }
    var map = makeMap(el, 16);
    var here = [m.lat, m.lon];
    map.setView(here, 16);
    dot(here, m.open).addTo(map);
    // Centre again once the layout is final (images above the map change its position).
    window.addEventListener("load", function () { map.invalidateSize(); map.setView(here, 16); });
  }

  function pickMap(el) {
    var map = makeMap(el, 13);
    var lat = document.getElementById("lat");
    var lon = document.getElementById("lon");
    var marker = null;
    function place(latlng, pan) {
      if (marker) { marker.setLatLng(latlng); } else { marker = dot(latlng, true).addTo(map); }
      if (pan) { map.setView(latlng, Math.max(map.getZoom(), 15)); }
    }
    if (lat.value && lon.value) { place([parseFloat(lat.value), parseFloat(lon.value)], true); }
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
      place(e.latlng, false);
      suggest();
    });
    [lat, lon].forEach(function (input) {
      input.addEventListener("change", function () {
        var a = parseFloat(lat.value), b = parseFloat(lon.value);
        if (!isNaN(a) && !isNaN(b)) { place([a, b], true); suggest(); }
      });
    });
    document.getElementById("linh_vuc").addEventListener("change", suggest);
  }

  function suggest() {
    var box = document.getElementById("nearby-live");
    var cat = document.getElementById("linh_vuc").value;
    var lat = document.getElementById("lat").value;
    var lon = document.getElementById("lon").value;
    if (!box || !cat || !lat || !lon) { return; }
    var url = box.dataset.url + "?" + new URLSearchParams({ linh_vuc: cat, lat: lat, lon: lon });
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (body) {
      box.textContent = "";
      if (!body.results.length) { return; }
      var h = document.createElement("p");
      h.className = "nearby-title";
      h.textContent = "Gần đây đã có phản ánh tương tự — có phải sự việc này?";
      box.appendChild(h);
      var ul = document.createElement("ul");
      body.results.forEach(function (r) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = r.url;
        a.textContent = r.code;
        li.appendChild(a);
        li.appendChild(document.createTextNode(" — " + r.status + ", cách " + r.distance_m + " m: " + r.text));
        ul.appendChild(li);
      });
      box.appendChild(ul);
    });
  }

  function templates() {
    document.querySelectorAll("select.answer-template").forEach(function (sel) {
      sel.addEventListener("change", function () {
        var target = document.getElementById(sel.dataset.target);
        if (target && sel.value) { target.value = sel.value; }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    templates();
    if (typeof L === "undefined") { return; }
    document.querySelectorAll(".report-map").forEach(function (el) {
      if (el.dataset.pick) { pickMap(el); }
      else if (el.dataset.single) { singleMap(el); }
      else { listMap(el); }
    });
  });
})();
