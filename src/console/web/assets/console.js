// Optional live refresh of the overview: reloads the page every 10 s while it is visible.
// The console works without it; the CSP allows only this same-origin file (no inline script,
// no fetch: nothing but `script-src 'self'` is needed).
(function () {
  "use strict";
  if (!document.getElementById("overview")) return;
  setInterval(function () {
    if (!document.hidden) window.location.reload();
  }, 10000);
})();
