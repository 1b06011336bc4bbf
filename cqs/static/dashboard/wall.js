// Wall mode (IOC screen): reload the page every data-refresh-seconds seconds.
(function () {
  "use strict";
  var seconds = parseInt(document.body.getAttribute("data-refresh-seconds"), 10) || 60;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
