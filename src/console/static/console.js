// Live regions: an element with data-poll="<url>" is refreshed from that URL (an HTML
// fragment rendered by the server) every second while the page is open. The fragment's
// root element may set data-done="true" to stop polling once nothing is moving.
"use strict";
function poll(region) {
  const url = region.dataset.poll;
  const tick = () => {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then((answer) => (answer.ok ? answer.text() : Promise.reject(answer.status)))
      .then((html) => {
        region.innerHTML = html;
        window.setTimeout(tick, 1000);
      })
      .catch(() => window.setTimeout(tick, 3000));
  };
  window.setTimeout(tick, 1000);
}
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-poll]").forEach(poll);
});
