// Optional live refresh of the overview: every 10 s, re-read the page and swap its <main>.
// The console works without it; the CSP allows only this same-origin file.
(function () {
  "use strict";
  var main = document.getElementById("overview");
  if (!main || !window.fetch || !window.DOMParser) return;
  setInterval(function () {
    if (document.hidden) return;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (!text) return;
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("overview");
        var current = document.getElementById("overview");
        if (fresh && current) current.replaceWith(document.importNode(fresh, true));
      })
      .catch(function () {});
  }, 10000);
})();
