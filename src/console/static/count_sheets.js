// The count page: each line's quantity is saved when its input loses focus (one POST per
// entry, so a phone that dies loses at most the entry being typed), with a visible mark
// ("saving…", "saved", "not saved") and the progress updated from the answer.
"use strict";
function countSheet(sheet) {
  const progress = (done) => {
    document.getElementById("progress").textContent = `${done.counted} / ${done.total}`;
    done.areas.forEach((area) => {
      sheet.querySelectorAll("section.area").forEach((section) => {
        if (section.dataset.area === area.area) {
          section.querySelector(".area-progress").textContent = `${area.counted} / ${area.total}`;
        }
      });
    });
  };
  const save = (input) => {
    const value = input.value.trim().replace(",", ".");
    if (value === "" || value === input.dataset.saved) return;
    const mark = input.parentElement.querySelector(".mark");
    mark.textContent = "saving…";
    mark.className = "mark saving";
    const form = new URLSearchParams({
      csrf: sheet.dataset.csrf, sku: input.dataset.sku, area: input.dataset.area, quantity: value,
    });
    fetch(sheet.dataset.save, {
      method: "POST", credentials: "same-origin", body: form,
      headers: { "Accept": "application/json" },
    })
      .then((answer) => (answer.ok ? answer.json() : Promise.reject(answer.status)))
      .then((done) => {
        input.dataset.saved = value;
        mark.textContent = "saved";
        mark.className = "mark saved";
        progress(done);
      })
      .catch(() => {
        mark.textContent = "not saved";
        mark.className = "mark failed";
      });
  };
  sheet.querySelectorAll("input.count").forEach((input) => {
    input.dataset.saved = input.value;
    input.addEventListener("blur", () => save(input));
    input.addEventListener("keydown", (key) => { if (key.key === "Enter") input.blur(); });
  });
}
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-count-sheet]").forEach(countSheet);
});
