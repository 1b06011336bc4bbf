/* Field-report maps and small helpers. No inline script: everything hangs off data-attributes.
   Without CQS_MAP_TILE_URL no tiles are loaded: markers are drawn on a plain background. */
(function () {
  "use strict";
  var CENTER = [20.9515, 107.078]; // Hạ Long

  // A map is created at its final view (centre and zoom in the constructor): setting a
  // default view first and then another one makes Leaflet animate the pan, and during that
  // quarter second the vector renderer still has the old view's bounds, so a marker added
  // meanwhile is drawn as an empty path at the corner (the "off-centre marker").
  function makeMap(el, zoom, centre) {
    var map = L.map(el, {
      attributionControl: !!el.dataset.tiles,
      center: centre || CENTER,
      zoom: zoom || 12,
    });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    return map;
  }

  // The container's size can change after the map was made (a late stylesheet, fonts, a
  // rotated phone): measure again, and call keep() so a single-report map stays centred.
  function onResize(el, map, keep) {
    function again() {
      map.invalidateSize();
      if (keep) { keep(); }
    }
    window.addEventListener("load", again);
    if (window.ResizeObserver) { new ResizeObserver(again).observe(el); }
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
    onResize(el, map, null);
    var bounds = [];
    markers.forEach(function (m) {
      var link = document.createElement("a");
      link.href = m.url;
      link.textContent = m.code + " — " + m.title + " (" + m.status + ")";
      dot([m.lat, m.lon], m.open).bindPopup(link).addTo(map);
      bounds.push([m.lat, m.lon]);
    });
    if (bounds.length > 1) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16, animate: false }); }
    else if (bounds.length === 1) { map.setView(bounds[0], 15, { animate: false }); }
  }

  function singleMap(el) {
    var m = data(el.dataset.single);
    if (!m) { return; }
    var here = [m.lat, m.lon];
    var map = makeMap(el, 16, here);
    dot(here, m.open).addTo(map);
    onResize(el, map, function () { map.setView(here, map.getZoom(), { animate: false }); });
  }

  function pickMap(el) {
    var map = makeMap(el, 13);
    onResize(el, map, null);
    var lat = document.getElementById("lat");
    var lon = document.getElementById("lon");
    var marker = null;
    function place(latlng, pan) {
      if (marker) { marker.setLatLng(latlng); } else { marker = dot(latlng, true).addTo(map); }
      if (pan) { map.setView(latlng, Math.max(map.getZoom(), 15), { animate: false }); }
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
