// A step's form: nothing a worker types is lost.
//
// Every change is kept on this device at once (localStorage, keyed by step and version)
// and sent to the server's autosave about two seconds after typing stops, or when a box
// loses focus. If the session has ended (a redirect to sign in, 401, or 403 from a token
// that changed at sign-in) the page says so and keeps trying; once the worker has signed
// in again in another tab, the next try (or pressing Save) picks up the new session.
// When the page opens with a newer copy on this device than on the server, it offers to
// restore it. Questions with a condition are shown only when it holds.
//
// Loaded with <script src defer>: no inline script, so the Content Security Policy holds.
(function () {
  "use strict";

  const form = document.getElementById("step-form");
  if (!form || !form.dataset.autosaveUrl) {
    return;
  }

  const STORE_PREFIX = "casemgmt:step:";
  const DEBOUNCE_MS = 2000;
  const RETRY_MS = 15000;
  const KEEP_MS = 30 * 24 * 60 * 60 * 1000;
  const SKIP = new Set(["csrfmiddlewaretoken", "action", "find"]);

  const stepId = form.dataset.stepId;
  const autosaveUrl = form.dataset.autosaveUrl;
  const status = document.getElementById("autosave-status");
  const sessionBanner = document.getElementById("session-ended");
  const localOffer = document.getElementById("local-copy-offer");
  const serverOffer = document.getElementById("draft-offer");
  const versionInput = form.querySelector("input[name=version]");

  let timer = null;
  let retryTimer = null;
  let dirty = false;
  let sending = false;
  let stopped = false;
  let sessionEnded = false;
  let submitChecked = false;

  // -- what the form holds -------------------------------------------------------------

  function pairs() {
    const found = [];
    for (const [name, value] of new FormData(form)) {
      if (!SKIP.has(name) && typeof value === "string") {
        found.push([name, value]);
      }
    }
    return found;
  }

  function body() {
    const data = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (name !== "action" && name !== "find" && typeof value === "string") {
        data.append(name, value);
      }
    }
    return data;
  }

  function version() {
    return Number(versionInput ? versionInput.value : 0) || 0;
  }

  function token() {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setToken(value) {
    for (const input of document.querySelectorAll("input[name=csrfmiddlewaretoken]")) {
      input.value = value;
    }
    const meta = document.querySelector("meta[name=csrf-token]");
    if (meta) {
      meta.content = value;
    }
  }

  function clock(milliseconds) {
    return new Date(milliseconds).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  // -- the copy on this device -------------------------------------------------------------

  function store() {
    try {
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  function keyFor(stepVersion) {
    return STORE_PREFIX + stepId + ":" + stepVersion;
  }

  function keepLocally(submitted) {
    const storage = store();
    if (!storage) {
      return;
    }
    const copy = { savedAt: Date.now(), version: version(), entries: pairs(), submitted: Boolean(submitted) };
    try {
      storage.setItem(keyFor(copy.version), JSON.stringify(copy));
    } catch (error) {
      // Storage full or refused: the server's copy still counts.
    }
  }

  function copies() {
    const storage = store();
    const found = [];
    if (!storage) {
      return found;
    }
    for (let index = storage.length - 1; index >= 0; index -= 1) {
      const key = storage.key(index);
      if (!key || !key.startsWith(STORE_PREFIX)) {
        continue;
      }
      let copy = null;
      try {
        copy = JSON.parse(storage.getItem(key));
      } catch (error) {
        copy = null;
      }
      if (!copy || !Array.isArray(copy.entries) || Date.now() - copy.savedAt > KEEP_MS) {
        storage.removeItem(key);
        continue;
      }
      found.push({ key: key, copy: copy });
    }
    return found;
  }

  // -- sending to the server ----------------------------------------------------------------

  function schedule() {
    if (stopped) {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(send, DEBOUNCE_MS);
  }

  function scheduleRetry() {
    if (!retryTimer && !stopped) {
      retryTimer = window.setTimeout(retry, RETRY_MS);
    }
  }

  function isSignedOut(response) {
    return (
      response.type === "opaqueredirect" ||
      response.status === 401 ||
      (response.status === 403 && !response.headers.get("X-Autosave-Refused"))
    );
  }

  function showSessionEnded() {
    sessionEnded = true;
    if (sessionBanner && sessionBanner.hidden) {
      sessionBanner.setAttribute("role", "alert");
      sessionBanner.hidden = false;
    }
    say("Not saved to the server: your session has ended. What you typed is kept on this device.");
  }

  function sessionIsBack() {
    sessionEnded = false;
    if (sessionBanner) {
      sessionBanner.hidden = true;
      sessionBanner.removeAttribute("role");
    }
  }

  async function textOf(response) {
    const html = await response.text();
    return new DOMParser().parseFromString(html, "text/html").body.textContent.trim();
  }

  async function send() {
    window.clearTimeout(timer);
    timer = null;
    if (stopped || sending || !dirty) {
      return;
    }
    sending = true;
    dirty = false;
    let response = null;
    try {
      response = await fetch(autosaveUrl, {
        method: "POST",
        body: body(),
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": token(), Accept: "text/html" },
      });
    } catch (error) {
      response = null;
    }
    sending = false;
    if (response === null) {
      dirty = true;
      say("Not saved to the server yet: no connection. What you typed is kept on this device.");
      scheduleRetry();
      return;
    }
    if (response.ok) {
      sessionIsBack();
      say(await textOf(response));
      if (dirty) {
        schedule();
      }
      return;
    }
    if (isSignedOut(response)) {
      dirty = true;
      showSessionEnded();
      scheduleRetry();
      return;
    }
    if (response.headers.get("X-Autosave-Refused")) {
      stopped = true;
      say(await textOf(response));
      return;
    }
    dirty = true;
    say("Not saved to the server yet. What you typed is kept on this device.");
    scheduleRetry();
  }

  // "ok" (signed in; the token is fresh), "signed-out", or "unknown" (no answer).
  async function checkSession() {
    let response = null;
    try {
      response = await fetch(autosaveUrl, {
        method: "GET",
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "text/html" },
      });
    } catch (error) {
      return "unknown";
    }
    if (response.status === 204) {
      const fresh = response.headers.get("X-CSRFToken");
      if (fresh) {
        setToken(fresh);
      }
      sessionIsBack();
      return "ok";
    }
    return isSignedOut(response) ? "signed-out" : "unknown";
  }

  async function retry() {
    retryTimer = null;
    if (sessionEnded && (await checkSession()) !== "ok") {
      scheduleRetry();
      return;
    }
    if (dirty) {
      send();
    }
  }

  // -- questions shown only when a condition holds ----------------------------------------------

  function inputsNamed(name) {
    return Array.from(form.elements).filter((element) => element.name === name);
  }

  function valueOf(key) {
    const wrapper = form.querySelector('[data-field-key="' + CSS.escape(key) + '"]');
    if (!wrapper || wrapper.hidden) {
      return null;
    }
    const kind = wrapper.dataset.kind;
    const name = "q." + key;
    const inputs = inputsNamed(name);
    if (kind === "multiple_choice") {
      return inputs.filter((input) => input.checked).map((input) => input.value);
    }
    if (kind === "yes_no" || (kind === "choice" && inputs.length && inputs[0].type === "radio")) {
      const chosen = inputs.find((input) => input.checked);
      if (!chosen) {
        return null;
      }
      if (kind === "yes_no") {
        return chosen.value === "yes" ? true : chosen.value === "no" ? false : chosen.value;
      }
      return chosen.value;
    }
    if (kind === "date") {
      const parts = ["day", "month", "year"].map((part) => {
        const input = inputsNamed(name + "." + part)[0];
        return input ? input.value.trim() : "";
      });
      if (!parts.every((part) => /^\d+$/.test(part)) || parts[2].length !== 4) {
        return null;
      }
      return parts[2] + "-" + parts[1].padStart(2, "0") + "-" + parts[0].padStart(2, "0");
    }
    if (kind === "repeating_group") {
      const rows = inputsNamed(name + ".rows")[0];
      return new Array(Number(rows ? rows.value : 0) || 0).fill({});
    }
    const text = inputs.length ? inputs[0].value.trim() : "";
    if (!text) {
      return null;
    }
    if (kind === "number" || kind === "money" || kind === "person") {
      const number = Number(text.replace(/[,£]/g, ""));
      if (Number.isNaN(number)) {
        return text;
      }
      return kind === "money" ? number.toFixed(2) : number;
    }
    return text;
  }

  function same(value, expected) {
    return value === (expected === undefined ? null : expected);
  }

  function holds(condition) {
    if (!condition || typeof condition !== "object" || !Object.keys(condition).length) {
      return true;
    }
    if ("all" in condition) {
      return (condition.all || []).every(holds);
    }
    if ("any" in condition) {
      return (condition.any || []).some(holds);
    }
    const value = valueOf(condition.field || "");
    if ("equals" in condition) {
      return same(value, condition.equals);
    }
    if ("in" in condition) {
      return (condition.in || []).some((item) => same(value, item));
    }
    if ("contains" in condition) {
      return Array.isArray(value) && value.some((item) => same(item, condition.contains));
    }
    if (condition.not_empty) {
      return !(value === null || value === "" || (Array.isArray(value) && !value.length));
    }
    return true;
  }

  function toggleConditions() {
    // In page order, so a question depending on a hidden one is hidden too (as the server does).
    for (const wrapper of form.querySelectorAll("[data-show-if]")) {
      let condition = null;
      try {
        condition = JSON.parse(wrapper.dataset.showIf);
      } catch (error) {
        continue;
      }
      const shown = holds(condition);
      wrapper.hidden = !shown;
      wrapper.style.display = shown ? "" : "none";
    }
  }

  // -- restoring a copy kept on this device ---------------------------------------------------------

  function restoreByPost(copy) {
    // The page lacks some of the copy's boxes (more entries in a repeating group): the
    // server draws the form from the copy, and nothing is saved until the worker says so.
    const post = document.createElement("form");
    post.method = "post";
    post.action = window.location.pathname;
    const fields = [["csrfmiddlewaretoken", token()], ["action", "restore"]].concat(copy.entries);
    for (const [name, value] of fields) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      post.appendChild(input);
    }
    document.body.appendChild(post);
    post.submit();
  }

  function restoreHere(copy) {
    const wanted = new Map();
    for (const [name, value] of copy.entries) {
      if (!wanted.has(name)) {
        wanted.set(name, []);
      }
      wanted.get(name).push(value);
    }
    const names = new Set(Array.from(form.elements).map((element) => element.name).filter(Boolean));
    for (const [name, values] of wanted) {
      if (SKIP.has(name)) {
        continue;
      }
      const rowsChanged = name.endsWith(".rows") && inputsNamed(name)[0] && inputsNamed(name)[0].value !== values[0];
      if (!names.has(name) || rowsChanged) {
        restoreByPost(copy);
        return;
      }
    }
    for (const element of form.elements) {
      if (!element.name || SKIP.has(element.name) || element.type === "submit" || element.type === "button") {
        continue;
      }
      const values = wanted.get(element.name) || [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = values.includes(element.value);
      } else {
        element.value = values.length ? values[0] : "";
      }
      if (element.tagName === "TEXTAREA") {
        // The character count updates on input.
        element.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
    toggleConditions();
    say("Restored what you typed at " + clock(copy.savedAt) + ". It is not saved yet: check it, then press Save.");
    dirty = true;
    keepLocally(false);
    schedule();
  }

  function offerLocalCopy() {
    const storage = store();
    if (!storage || !localOffer) {
      return;
    }
    const mine = copies().filter((found) => found.key.startsWith(STORE_PREFIX + stepId + ":"));
    const showing = JSON.stringify(pairs());
    let best = null;
    for (const found of mine) {
      const saved = found.copy.submitted && version() > found.copy.version;
      if (saved || JSON.stringify(found.copy.entries) === showing) {
        storage.removeItem(found.key);
        continue;
      }
      if (!best || found.copy.savedAt > best.copy.savedAt) {
        best = found;
      }
    }
    if (!best) {
      return;
    }
    const serverSavedAt = Number(form.dataset.draftSavedAt || 0) * 1000;
    if (serverOffer && serverSavedAt && best.copy.savedAt <= serverSavedAt + 1000) {
      return;
    }
    if (serverOffer) {
      serverOffer.hidden = true;
    }
    const chosen = best;
    localOffer.querySelector("[data-local-time]").textContent = clock(chosen.copy.savedAt);
    localOffer.hidden = false;
    localOffer.querySelector("[data-local-restore]").addEventListener("click", () => {
      localOffer.hidden = true;
      restoreHere(chosen.copy);
    });
    localOffer.querySelector("[data-local-discard]").addEventListener("click", () => {
      storage.removeItem(chosen.key);
      localOffer.hidden = true;
      if (serverOffer) {
        serverOffer.hidden = false;
      }
    });
  }

  // -- events -------------------------------------------------------------------------------------------

  function changed(event) {
    if (event.target.matches && event.target.matches("[data-person-search]")) {
      return;
    }
    toggleConditions();
    dirty = true;
    keepLocally(false);
    schedule();
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("focusout", () => {
    if (dirty) {
      send();
    }
  });

  form.addEventListener("submit", (event) => {
    keepLocally(true);
    if (submitChecked) {
      return;
    }
    // Make sure the session is alive (and the token current) before the page is left.
    event.preventDefault();
    const submitter = event.submitter && event.submitter.form === form ? event.submitter : null;
    checkSession().then((state) => {
      if (state === "signed-out") {
        showSessionEnded();
        if (sessionBanner) {
          sessionBanner.focus();
        }
        return;
      }
      submitChecked = true;
      window.clearTimeout(timer);
      stopped = true;
      if (submitter) {
        form.requestSubmit(submitter);
      } else {
        form.requestSubmit();
      }
    });
  });

  // Enter in a person search runs the search rather than saving the form.
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-person-search]")) {
      event.preventDefault();
      event.target.dispatchEvent(new Event("person-search"));
    }
  });

  form.addEventListener("click", (event) => {
    const button = event.target.closest ? event.target.closest("[data-pick-person]") : null;
    if (!button) {
      return;
    }
    const input = document.getElementById(button.dataset.pickTarget);
    if (!input) {
      return;
    }
    input.value = button.dataset.pickPerson;
    const chosen = document.getElementById(input.id + "-chosen");
    if (chosen) {
      chosen.textContent = button.dataset.pickLabel;
    }
    const details = button.closest("details");
    if (details) {
      details.open = false;
    }
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.focus();
  });

  window.addEventListener("pagehide", () => {
    if (dirty && !stopped && !sessionEnded && navigator.sendBeacon) {
      const data = body();
      navigator.sendBeacon(autosaveUrl, data);
    }
  });

  // -- on arrival -----------------------------------------------------------------------------------------

  toggleConditions();
  if (form.dataset.unsaved) {
    // Shown from what was posted (a conflict, a correction, a restore): keep it at once.
    keepLocally(false);
    dirty = true;
    schedule();
  }
  offerLocalCopy();
  if (form.dataset.focus) {
    const target = document.getElementById(form.dataset.focus);
    if (target) {
      target.focus();
    }
  }
})();
