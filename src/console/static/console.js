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

// Document forms: lines are added and removed in place (each row's inputs renumbered so
// their names stay the API's paths, lines[0].sku …), and a form is sent once: a second
// click while the first is on its way does nothing (the kept document id makes a repeat
// harmless anyway).
function renumber(group) {
  group.querySelectorAll(":scope > ol > li.row").forEach((row, index) => {
    row.dataset.index = String(index);
    row.querySelector("legend").textContent = group.dataset.rowLabel + " " + (index + 1);
    row.querySelectorAll("[name]").forEach((input) => {
      const field = input.name.replace(/^.*\]\./, "");
      input.name = group.dataset.group + "[" + index + "]." + field;
      input.id = group.dataset.group + "-" + index + "-" + field;
    });
    row.querySelectorAll("label[for]").forEach((label) => {
      const field = label.htmlFor.replace(/^.*-\d+-|^.*-__i__-/, "");
      label.htmlFor = group.dataset.group + "-" + index + "-" + field;
    });
    const remove = row.querySelector("button.remove");
    if (remove) remove.textContent = "Remove " + group.dataset.rowLabel.toLowerCase() + " " + (index + 1);
  });
}
function removable(group, row) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "remove";
  button.addEventListener("click", () => {
    row.remove();
    renumber(group);
  });
  row.querySelector("fieldset").appendChild(button);
}
function lines(group) {
  const list = group.querySelector(":scope > ol");
  const template = group.querySelector(":scope > template");
  list.querySelectorAll(":scope > li.row").forEach((row) => removable(group, row));
  const add = document.createElement("button");
  add.type = "button";
  add.className = "add";
  add.textContent = "Add " + group.dataset.rowLabel.toLowerCase();
  add.addEventListener("click", () => {
    const row = template.content.firstElementChild.cloneNode(true);
    list.appendChild(row);
    removable(group, row);
    renumber(group);
    const first = row.querySelector("input, select, textarea");
    if (first) first.focus();
  });
  group.appendChild(add);
  renumber(group);
}
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("fieldset.group[data-group]").forEach(lines);
  document.querySelectorAll("form.document").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.dataset.sending === "true") {
        event.preventDefault();
        return;
      }
      form.dataset.sending = "true";
      form.setAttribute("aria-busy", "true");
    });
  });
});
