// Chat widget of the virtual assistant. Every text from the user or the server is shown
// with textContent (never innerHTML); links come only from the answer's "links" list and
// must be site-relative.
(function () {
  "use strict";
  var root = document.querySelector(".va");
  if (!root) return;
  var api = root.getAttribute("data-api");
  var toggle = root.querySelector(".va-toggle");
  var panel = root.querySelector(".va-panel");
  var close = root.querySelector(".va-close");
  var form = root.querySelector(".va-form");
  var input = root.querySelector("#va-q");
  var log = root.querySelector(".va-log");
  var conversation = "";

  function open() {
    panel.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    input.focus();
  }
  function shut() {
    panel.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    toggle.focus();
  }
  toggle.addEventListener("click", function () {
    if (panel.hidden) open(); else shut();
  });
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") shut();
  });

  // The button floats over the page: a control that gets the focus underneath it (a form's
  // last button while scrolling on a phone) is scrolled up clear of it, so nobody presses
  // what they cannot see. Large targets (the main region after the skip link) are left alone.
  document.addEventListener("focusin", function (e) {
    var el = e.target;
    if (!(el instanceof Element) || root.contains(el)) return;
    var r = el.getBoundingClientRect();
    var t = toggle.getBoundingClientRect();
    if (r.height > window.innerHeight / 2) return;
    if (r.left < t.right && r.right > t.left && r.top < t.bottom && r.bottom > t.top) {
      window.scrollBy(0, r.bottom - t.top + 8);
    }
  });

  function add(kind, text) {
    var item = document.createElement("li");
    item.className = "va-msg va-" + kind;
    var body = document.createElement("p");
    body.textContent = text;
    item.appendChild(body);
    log.appendChild(item);
    item.scrollIntoView({ block: "nearest" });
    return item;
  }

  function addLinks(item, links) {
    var safe = (links || []).filter(function (l) {
      return typeof l.url === "string" && l.url.charAt(0) === "/" && l.url.charAt(1) !== "/";
    });
    if (!safe.length) return;
    var list = document.createElement("ul");
    list.className = "va-links";
    safe.forEach(function (l) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = l.url;
      a.textContent = l.title;
      li.appendChild(a);
      list.appendChild(li);
    });
    item.appendChild(list);
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = input.value.trim();
    if (!q) { input.focus(); return; }
    add("user", q);
    input.value = "";
    var waiting = add("bot", "Đang tìm câu trả lời…");
    waiting.setAttribute("aria-busy", "true");
    var url = api + "?" + new URLSearchParams({ q: q, conversation: conversation }).toString();
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        waiting.remove();
        if (!res.ok) { add("error", res.body.message || "Không gửi được câu hỏi."); return; }
        conversation = res.body.conversation || conversation;
        var item = add(res.body.confident ? "bot" : "bot va-unsure", res.body.answer);
        addLinks(item, res.body.links);
      })
      .catch(function () {
        waiting.remove();
        add("error", "Không kết nối được. Vui lòng thử lại sau.");
      })
      .finally(function () { input.focus(); });
  });
})();
