// Admin UI behaviour: JSON editors, the invoke form, live refresh of the executions table,
// fragment forms (invoke, replay) and the session-ended notice.
// No third-party code; everything here is served by Switchboard itself.
"use strict";

const FRAGMENT_HEADER = "X-Switchboard-Fragment";
let sessionOver = false;

// -- session ---------------------------------------------------------------------------

function sessionEnded() {
  sessionOver = true;
  const notice = document.getElementById("session-notice");
  if (!notice) return;
  const link = notice.querySelector("a");
  if (link) {
    link.href = "/ui/login?next=" + encodeURIComponent(window.location.pathname + window.location.search);
  }
  notice.hidden = false;
}

class SessionEndedError extends Error {}

// A fetch whose answer is a piece of a page; an ended session is a 401 with X-Sign-In.
async function fetchFragment(url, options) {
  const headers = Object.assign({ "Accept": "text/html" }, (options && options.headers) || {});
  headers[FRAGMENT_HEADER] = "1";
  const response = await fetch(url, Object.assign({ credentials: "same-origin" }, options || {}, { headers }));
  if (response.status === 401 && response.headers.get("X-Sign-In")) {
    sessionEnded();
    throw new SessionEndedError("session ended");
  }
  return response;
}

// -- JSON editors ----------------------------------------------------------------------

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
    if (submit && !form.dataset.busy) submit.disabled = !ok;
    return ok;
  };
  form.refreshJson = refresh;
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

// -- the invoke form: fields from the connector's model, in sync with the JSON view ----

function parseObject(text) {
  try {
    const value = JSON.parse(text.trim() === "" ? "{}" : text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch (e) {
    return null;
  }
}

function getPath(object, path) {
  let value = object;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object" || !(part in value)) return undefined;
    value = value[part];
  }
  return value;
}

function setPath(object, path, value) {
  const parts = path.split(".");
  let node = object;
  parts.slice(0, -1).forEach((part) => {
    if (node[part] === null || typeof node[part] !== "object" || Array.isArray(node[part])) node[part] = {};
    node = node[part];
  });
  node[parts[parts.length - 1]] = value;
}

function deletePath(object, path) {
  const parts = path.split(".");
  const trail = [object];
  for (const part of parts.slice(0, -1)) {
    const next = trail[trail.length - 1][part];
    if (next === null || typeof next !== "object") return;
    trail.push(next);
  }
  delete trail[trail.length - 1][parts[parts.length - 1]];
  for (let i = trail.length - 1; i > 0; i -= 1) {  // drop the objects left empty
    if (Object.keys(trail[i]).length > 0) break;
    delete trail[i - 1][parts[i - 1]];
  }
}

function setUpInvokeForm(form) {
  const fields = Array.from(form.querySelectorAll("[data-field]")).map((node) => ({
    node,
    id: node.dataset.id,
    target: node.dataset.target,
    path: node.dataset.path,
    kind: node.dataset.kind,
    fallback: JSON.parse(node.dataset.default || "null"),
    condition: node.dataset.condition ? JSON.parse(node.dataset.condition) : null,
    input: node.querySelector("input, select, textarea"),
  }));
  const areas = { variables: form.querySelector("#variables"), headers: form.querySelector("#headers") };
  const byId = new Map(fields.map((f) => [f.id, f]));

  const rawValue = (f) => {
    if (f.kind === "hidden") return f.fallback;
    if (f.kind === "checkbox") return f.input.checked;
    return f.input.value;
  };
  const holds = (condition, seen) => {
    if (condition.allMatch) return condition.allMatch.every((c) => holds(c, seen));
    const other = byId.get(condition.property);
    const active = other ? isActive(other, seen) : false;
    const value = active ? rawValue(other) : undefined;
    if ("isActive" in condition) return active === condition.isActive;
    if ("isEmpty" in condition) return (value === undefined || value === "" || value === null) === condition.isEmpty;
    if ("oneOf" in condition) return active && condition.oneOf.includes(value);
    if ("equals" in condition) return active && value === condition.equals;
    return true;
  };
  const isActive = (f, seen) => {
    if (!f.condition) return true;
    const trail = seen || new Set();
    if (trail.has(f.id)) return false;
    trail.add(f.id);
    return holds(f.condition, trail);
  };
  // The value a field contributes, or undefined (left out of the JSON).
  const fieldValue = (f) => {
    const raw = rawValue(f);
    if (f.kind === "hidden") return raw === null ? undefined : raw;
    if (f.kind === "checkbox") return raw;
    if (raw === "") return undefined;
    if (f.kind === "number") return Number.isNaN(Number(raw)) ? raw : Number(raw);
    if (f.kind === "json") {
      try { return JSON.parse(raw); } catch (e) { return raw; }  // not JSON: sent as text
    }
    return raw;
  };
  const showValue = (f, value) => {
    if (f.kind === "hidden") return;
    if (value === undefined) value = f.fallback;  // left out: the template's default
    if (f.kind === "checkbox") {
      f.input.checked = value === true || value === "true";
    } else if (value === null) {
      f.input.value = "";
    } else if (f.kind === "json" && typeof value !== "string") {
      f.input.value = JSON.stringify(value, null, 2);
    } else {
      f.input.value = String(value);
    }
  };
  const showConditions = () => {
    fields.forEach((f) => { f.node.hidden = f.kind === "hidden" || !isActive(f); });
    form.querySelectorAll("details.group").forEach((group) => {
      group.hidden = Array.from(group.querySelectorAll("[data-field]")).every((n) => n.hidden);
    });
  };

  // Form -> JSON: the form's fields replace their paths; other keys of the JSON stay.
  const writeJson = () => {
    ["variables", "headers"].forEach((target) => {
      const current = parseObject(areas[target].value) || {};
      fields.filter((f) => f.target === target).forEach((f) => deletePath(current, f.path));
      fields.filter((f) => f.target === target && isActive(f)).forEach((f) => {
        const value = fieldValue(f);
        if (value !== undefined) setPath(current, f.path, value);
      });
      areas[target].value = JSON.stringify(current, null, 2);
    });
    if (form.refreshJson) form.refreshJson();
  };
  // JSON -> form: every field shows the value at its path.
  const readJson = () => {
    ["variables", "headers"].forEach((target) => {
      const current = parseObject(areas[target].value);
      if (current === null) return;  // invalid JSON: the status line says so
      fields.filter((f) => f.target === target).forEach((f) => {
        const value = getPath(current, f.path);
        showValue(f, value);
        // A collapsed group opens when the JSON sets one of its fields.
        const group = f.node.closest("details.group");
        if (group && value !== undefined && f.kind !== "hidden" && value !== f.fallback) group.open = true;
      });
    });
    showConditions();
  };

  fields.forEach((f) => {
    if (!f.input) return;
    const onChange = () => { showConditions(); writeJson(); };
    f.input.addEventListener("input", onChange);
    f.input.addEventListener("change", onChange);
  });
  Object.values(areas).forEach((area) => area.addEventListener("input", readJson));

  const tabs = Array.from(form.querySelectorAll(".tab[data-view]"));
  const choose = (tab) => {
    tabs.forEach((t) => {
      const chosen = t === tab;
      t.setAttribute("aria-selected", chosen ? "true" : "false");
      document.getElementById(t.dataset.view).hidden = !chosen;
    });
  };
  tabs.forEach((tab) => tab.addEventListener("click", () => choose(tab)));

  const examples = form.querySelector("#example");
  if (examples) {
    const list = JSON.parse(examples.dataset.examples || "[]");
    examples.addEventListener("change", () => {
      const example = list[Number(examples.value)];
      if (!example) return;
      areas.variables.value = JSON.stringify(example.variables, null, 2);
      const headers = parseObject(areas.headers.value) || {};
      // The template's own headers (its id and version) stay; the example's are added.
      fields.filter((f) => f.target === "headers" && f.kind !== "hidden").forEach((f) => deletePath(headers, f.path));
      areas.headers.value = JSON.stringify(Object.assign(headers, example.headers), null, 2);
      readJson();
      writeJson();  // the defaults of fields the example leaves out
    });
  }

  if (fields.length > 0) {
    readJson();  // the JSON the server sent back (after an error), else empty
    writeJson();
    if (tabs.length) choose(tabs[0]);
  }
}

// -- forms answered with a fragment (invoke, replay) ------------------------------------

function setUpFragmentForm(form) {
  const button = form.querySelector('button[type="submit"]');
  const target = document.getElementById(form.dataset.target);
  form.addEventListener("submit", async (event) => {
    if (event.defaultPrevented || !target) return;
    event.preventDefault();
    if (form.dataset.busy || sessionOver) return;  // never sent twice
    form.dataset.busy = "1";
    const label = button ? button.textContent : "";
    if (button) {
      button.disabled = true;
      button.classList.add("busy");
      button.textContent = button.dataset.busyLabel || "Working…";
    }
    form.setAttribute("aria-busy", "true");
    try {
      const response = await fetchFragment(form.action, { method: "POST", body: new FormData(form) });
      target.innerHTML = await response.text();
    } catch (error) {
      if (!(error instanceof SessionEndedError)) {
        target.innerHTML = "";
        const alert = document.createElement("p");
        alert.className = "alert error";
        alert.id = "invoke-error";
        alert.setAttribute("role", "alert");
        alert.textContent = "Switchboard did not answer: " + error.message;
        target.appendChild(alert);
      }
    } finally {
      delete form.dataset.busy;
      form.removeAttribute("aria-busy");
      if (button) {
        button.classList.remove("busy");
        button.textContent = label;
        button.disabled = false;
      }
      if (form.refreshJson) form.refreshJson();
    }
  });
}

// -- live refresh ------------------------------------------------------------------------

function setUpLiveRefresh(body) {
  const toggle = document.getElementById("live");
  const status = document.getElementById("live-status");
  let busy = false;
  let timer = null;
  const load = async () => {
    if (sessionOver) { window.clearInterval(timer); return; }
    if (busy || !toggle || !toggle.checked || document.hidden) return;
    busy = true;
    try {
      const response = await fetchFragment(body.dataset.refresh + window.location.search);
      const type = response.headers.get("Content-Type") || "";
      if (response.ok && type.startsWith("text/html")) {
        body.innerHTML = await response.text();
        if (status) status.textContent = "";
      } else if (status) {
        status.textContent = "Refresh failed (" + response.status + "); retrying";
      }
    } catch (error) {
      if (error instanceof SessionEndedError) {
        window.clearInterval(timer);
        if (toggle) { toggle.checked = false; toggle.disabled = true; }
      } else if (status) {
        status.textContent = "Cannot reach Switchboard; retrying";
      }
    } finally {
      busy = false;
    }
  };
  timer = window.setInterval(load, 3000);
}

// -- navigation ------------------------------------------------------------------------------

function setUpMenu(button) {
  const nav = document.getElementById(button.getAttribute("aria-controls"));
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("open", open);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-menu]").forEach(setUpMenu);
  document.querySelectorAll("form[data-json-form]").forEach(setUpJsonForm);
  document.querySelectorAll("form[data-invoke-form]").forEach(setUpInvokeForm);
  document.querySelectorAll("form[data-target]").forEach(setUpFragmentForm);
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
