// Admin UI behaviour: JSON editors, live refresh of the executions table, small helpers.
// No third-party code; everything here is served by Switchboard itself.
"use strict";

function checkJson(area) {
  const status = document.querySelector('.json-status[data-for="' + area.id + '"]');
  let message = "";
  let ok = true;
  const text = area.value.trim();
  if (text !== "") {
    try {
      const value = JSON.parse(text);
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        ok = false;
        message = "Must be a JSON object { ... }";
      } else {
        message = "Valid JSON object";
      }
    } catch (error) {
      ok = false;
      message = "Invalid JSON: " + error.message;
    }
  }
  area.classList.toggle("invalid", !ok);
  if (status) {
    status.textContent = message;
    status.className = "json-status " + (ok ? "good" : "bad");
  }
  return ok;
}

function setUpJsonForm(form) {
  const areas = Array.from(form.querySelectorAll("textarea[data-json]"));
  const submit = form.querySelector('button[type="submit"]');
  const refresh = () => {
    const ok = areas.map(checkJson).every(Boolean);
    if (submit) submit.disabled = !ok;
    return ok;
  };
  areas.forEach((area) => area.addEventListener("input", refresh));
  const format = form.querySelector("[data-format]");
  if (format) {
    format.addEventListener("click", () => {
      areas.forEach((area) => {
        try { area.value = JSON.stringify(JSON.parse(area.value || "{}"), null, 2); } catch (e) { /* shown by refresh */ }
      });
      refresh();
    });
  }
  form.addEventListener("submit", (event) => { if (!refresh()) event.preventDefault(); });
  refresh();
}

function setUpLiveRefresh(body) {
  const toggle = document.getElementById("live");
  let busy = false;
  const load = async () => {
    if (busy || !toggle || !toggle.checked || document.hidden) return;
    busy = true;
    try {
      const response = await fetch(body.dataset.refresh + window.location.search, {
        credentials: "same-origin", headers: { "Accept": "text/html" },
      });
      if (response.ok) body.innerHTML = await response.text();
    } finally {
      busy = false;
    }
  };
  window.setInterval(load, 3000);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-json-form]").forEach(setUpJsonForm);
  document.querySelectorAll("[data-refresh]").forEach(setUpLiveRefresh);
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
