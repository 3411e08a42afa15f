// The warning before a signed-in session times out, without losing a form in progress.
//
// The server signs a session out after a spell without activity (the idle timeout) and a
// while after signing in (the absolute timeout); casemgmt/sessions.py. This page knows,
// from data- attributes on <body>, how long it has left. Shortly before the end it opens a
// dialog: "Stay signed in" asks the server for more time, "Sign out" signs out. When the time
// runs out the page goes to the sign-in page, unless a form on it has changes not yet sent:
// then the dialog says the session has ended and the form stays as it is (a step form also
// keeps its copy on this device: step-autosave.js).
//
// Typing, clicking or scrolling counts as activity: before warning, a page where the user
// has been active since the server last heard from them asks it for more time quietly.
// Tabs share what they know through localStorage, so activity or "Stay signed in" in
// one tab counts in all. Asking the server how long is left does not count as activity.
//
// Loaded with <script src defer>: no inline script, so the Content Security Policy holds.
(function () {
  "use strict";

  const body = document.body;
  const dialog = document.getElementById("session-timeout");
  if (!body.dataset.sessionStatusUrl || !dialog) {
    return;
  }

  const STORE_KEY = "casemgmt:session";
  const ACTIVITY_KEY = "casemgmt:session:activity";
  const ACTIVITY_EVENTS = ["keydown", "pointerdown", "input", "wheel", "touchstart"];
  const ACTIVITY_WRITE_MS = 5000;
  const TICK_MS = 1000;
  // Allow for the network and the clocks before believing the server has signed us out.
  const GRACE_MS = 2000;

  const idleTimeoutMs = Number(body.dataset.sessionIdleTimeout) * 1000;
  const warningMs = Number(body.dataset.sessionWarning) * 1000;
  const statusUrl = body.dataset.sessionStatusUrl;
  const keepAliveUrl = body.dataset.sessionKeepAliveUrl;
  const loginUrl = body.dataset.sessionLoginUrl;

  const heading = dialog.querySelector("[data-heading]");
  const idleText = dialog.querySelector("[data-idle-text]");
  const absoluteText = dialog.querySelector("[data-absolute-text]");
  const endedText = dialog.querySelector("[data-ended-text]");
  const countdown = dialog.querySelector("[data-countdown]");
  const countdownAbsolute = dialog.querySelector("[data-countdown-absolute]");
  const announce = dialog.querySelector("[data-announce]");
  const stayButton = dialog.querySelector("[data-stay]");
  const closeButton = dialog.querySelector("[data-close]");
  const signOutForm = dialog.querySelector("[data-sign-out]");

  // What this page knows: when the server will time the session out (this device's clock).
  let idleDeadline = Date.now() + Number(body.dataset.sessionIdleRemaining) * 1000;
  let absoluteDeadline = Date.now() + Number(body.dataset.sessionAbsoluteRemaining) * 1000;
  let lastActivity = 0;
  let lastActivityWritten = 0;
  let state = "active"; // "active", "warning", "checking", "ended"
  let busy = false;
  let returnFocusTo = null;
  let lastAnnouncedMinute = null;

  // -- shared between tabs -------------------------------------------------------------------

  function store() {
    try {
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  function read(key) {
    const storage = store();
    if (!storage) {
      return null;
    }
    try {
      return JSON.parse(storage.getItem(key));
    } catch (error) {
      return null;
    }
  }

  function write(key, value) {
    const storage = store();
    if (!storage) {
      return;
    }
    try {
      storage.setItem(key, JSON.stringify(value));
    } catch (error) {
      // Storage full or refused: this tab still works on its own.
    }
  }

  // The same session (same absolute deadline, within a few seconds) in another tab: take
  // the later idle deadline. A different session (signed in again): take the newer one.
  function sameSession(other) {
    return Math.abs(other.absoluteDeadline - absoluteDeadline) < 5000;
  }

  function learn(shared) {
    if (!shared || typeof shared.idleDeadline !== "number" || typeof shared.absoluteDeadline !== "number") {
      return false;
    }
    if (sameSession(shared)) {
      if (shared.idleDeadline <= idleDeadline) {
        return false;
      }
      idleDeadline = shared.idleDeadline;
      return true;
    }
    if (shared.absoluteDeadline > absoluteDeadline) {
      idleDeadline = shared.idleDeadline;
      absoluteDeadline = shared.absoluteDeadline;
      return true;
    }
    return false;
  }

  function share() {
    write(STORE_KEY, { idleDeadline: idleDeadline, absoluteDeadline: absoluteDeadline });
  }

  function sharedActivity() {
    const value = read(ACTIVITY_KEY);
    return Math.max(lastActivity, typeof value === "number" ? value : 0);
  }

  function noteActivity() {
    lastActivity = Date.now();
    if (lastActivity - lastActivityWritten >= ACTIVITY_WRITE_MS) {
      lastActivityWritten = lastActivity;
      write(ACTIVITY_KEY, lastActivity);
    }
  }

  // -- the server -------------------------------------------------------------------------------

  function token() {
    const meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  // Signing in again (in another tab) changes the CSRF token: the status answer brings the
  // current one, so this page's forms and calls keep working.
  function setToken(value) {
    for (const input of document.querySelectorAll("input[name=csrfmiddlewaretoken]")) {
      input.value = value;
    }
    const meta = document.querySelector("meta[name=csrf-token]");
    if (meta) {
      meta.content = value;
    }
  }

  // What the server says is left; null when signed out, undefined when there was no answer.
  async function ask(url, method) {
    let response = null;
    try {
      response = await fetch(url, {
        method: method,
        credentials: "same-origin",
        redirect: "manual",
        headers: {
          Accept: "application/json",
          "X-CSRFToken": token(),
          // Asking is not activity (the server also knows this for the status URL).
          "X-Session-Activity": method === "GET" ? "passive" : "active",
        },
      });
    } catch (error) {
      return undefined;
    }
    if (response.status === 401 || response.status === 403 || response.type === "opaqueredirect") {
      return null;
    }
    if (!response.ok) {
      return undefined;
    }
    const fresh = response.headers.get("X-CSRFToken");
    if (fresh) {
      setToken(fresh);
    }
    try {
      const data = await response.json();
      return typeof data.idle_remaining === "number" ? data : undefined;
    } catch (error) {
      return undefined;
    }
  }

  function believe(data) {
    const now = Date.now();
    idleDeadline = now + data.idle_remaining * 1000;
    absoluteDeadline = now + data.absolute_remaining * 1000;
    share();
  }

  function serverLastHeard() {
    return idleDeadline - idleTimeoutMs;
  }

  // -- forms with changes not yet sent ---------------------------------------------------------

  function elementChanged(element) {
    if (!element.name || element.disabled) {
      return false;
    }
    const type = (element.type || "").toLowerCase();
    if (["hidden", "submit", "button", "reset", "image", "file"].includes(type)) {
      return false;
    }
    if (type === "checkbox" || type === "radio") {
      return element.checked !== element.defaultChecked;
    }
    if (element.tagName === "SELECT") {
      // With no option marked selected, a single choice list starts on its first option.
      const options = Array.from(element.options);
      const marked = options.some((option) => option.defaultSelected);
      return options.some(
        (option, index) =>
          option.selected !== (marked ? option.defaultSelected : !element.multiple && index === 0)
      );
    }
    return element.value !== element.defaultValue;
  }

  // A form with changes since the page loaded, or one the server drew from what was
  // posted but not saved (a correction, a conflict, a restored copy), has unsaved changes.
  function formUnsaved(form) {
    if ((form.method || "").toLowerCase() !== "post" || dialog.contains(form)) {
      return false;
    }
    if (form.dataset.unsaved || form.querySelector(".govuk-error-message")) {
      return true;
    }
    return Array.from(form.elements).some(elementChanged);
  }

  function hasUnsavedChanges() {
    return Array.from(document.forms).some(formUnsaved);
  }

  // -- the dialog -------------------------------------------------------------------------------------

  function words(milliseconds) {
    const seconds = Math.max(0, Math.ceil(milliseconds / 1000));
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60);
      return minutes + (minutes === 1 ? " minute" : " minutes");
    }
    return seconds + (seconds === 1 ? " second" : " seconds");
  }

  function limitedByAbsolute() {
    return absoluteDeadline <= idleDeadline;
  }

  function deadline() {
    return Math.min(idleDeadline, absoluteDeadline);
  }

  function focusable() {
    return Array.from(dialog.querySelectorAll("a[href], button, input, [tabindex]")).filter(
      (element) => !element.hidden && !element.closest("[hidden]") && element.type !== "hidden"
    );
  }

  // GOV.UK's buttons and inline forms set their own display, which outranks [hidden].
  function show(element, shown) {
    element.hidden = !shown;
    element.style.display = shown ? "" : "none";
  }

  function render() {
    const left = deadline() - Date.now();
    const absolute = limitedByAbsolute();
    const ended = state === "ended";
    heading.textContent = ended ? "You have been signed out" : "You will be signed out soon";
    show(idleText, !ended && !absolute);
    show(absoluteText, !ended && absolute);
    show(endedText, ended);
    show(stayButton, !ended && !absolute);
    show(closeButton, ended || absolute);
    show(signOutForm, !ended);
    countdown.textContent = words(left);
    countdownAbsolute.textContent = words(left);
    // A screen reader hears the time when the dialog opens and then once a minute (and
    // every 15 seconds in the last minute), not every second.
    const seconds = Math.max(0, Math.ceil(left / 1000));
    const step = seconds > 60 ? Math.ceil(seconds / 60) * 60 : Math.ceil(seconds / 15) * 15;
    if (!ended && step !== lastAnnouncedMinute) {
      lastAnnouncedMinute = step;
      announce.textContent = "You will be signed out in " + words(left) + ".";
    }
  }

  function open() {
    if (!dialog.open) {
      returnFocusTo = document.activeElement;
      lastAnnouncedMinute = null;
      render();
      if (typeof dialog.showModal === "function") {
        dialog.showModal();
      } else {
        dialog.setAttribute("open", "");
      }
    } else {
      render();
    }
    // The button that answers the dialog: "Stay signed in", or "Go back to the page".
    const first = stayButton.hidden ? closeButton : stayButton;
    first.focus();
  }

  function close() {
    if (dialog.open) {
      if (typeof dialog.close === "function") {
        dialog.close();
      } else {
        dialog.removeAttribute("open");
      }
    }
    announce.textContent = "";
    if (returnFocusTo && typeof returnFocusTo.focus === "function" && document.contains(returnFocusTo)) {
      returnFocusTo.focus();
    }
    returnFocusTo = null;
  }

  function sessionEnded() {
    state = "ended";
    if (hasUnsavedChanges()) {
      announce.textContent = "";
      open();
      announce.textContent = "You have been signed out. What you typed is still on this page.";
      return;
    }
    close();
    const next = window.location.pathname + window.location.search;
    window.location.assign(loginUrl + "?next=" + encodeURIComponent(next));
  }

  // -- the clock ---------------------------------------------------------------------------------------

  async function check() {
    busy = true;
    const data = await ask(statusUrl, "GET");
    busy = false;
    if (data === null) {
      sessionEnded();
      return false;
    }
    if (data !== undefined) {
      believe(data);
    }
    return true;
  }

  async function keepAlive() {
    busy = true;
    const data = await ask(keepAliveUrl, "POST");
    busy = false;
    if (data === null) {
      sessionEnded();
      return false;
    }
    if (data !== undefined) {
      believe(data);
    }
    return data !== undefined;
  }

  async function tick() {
    if (busy || state === "ended") {
      return;
    }
    const now = Date.now();
    const end = deadline();
    if (now >= end + GRACE_MS) {
      // The time is up here: the server decides (another tab may have kept it going).
      if (await check()) {
        if (deadline() > Date.now() + warningMs) {
          state = "active";
          close();
        } else if (deadline() <= Date.now()) {
          // The server's clock still has a moment to go: ask again on the next tick.
          state = "checking";
        }
      }
      return;
    }
    if (now < end - warningMs) {
      if (state === "warning") {
        state = "active";
        close();
      }
      return;
    }
    if (state === "warning") {
      render();
      return;
    }
    // Inside the warning time. Active since the server last heard (in any tab)? Then ask
    // for more time quietly. Otherwise check the server's clock first: a step form's
    // autosave or another tab may have kept the session going.
    if (!limitedByAbsolute() && sharedActivity() > serverLastHeard()) {
      await keepAlive();
    } else {
      await check();
    }
    if (state !== "ended" && Date.now() >= deadline() - warningMs) {
      state = "warning";
      open();
    }
  }

  // -- events ------------------------------------------------------------------------------------------

  for (const name of ACTIVITY_EVENTS) {
    document.addEventListener(
      name,
      (event) => {
        if (!dialog.contains(event.target)) {
          noteActivity();
        }
      },
      { capture: true, passive: true }
    );
  }

  stayButton.addEventListener("click", async () => {
    stayButton.disabled = true;
    const ok = await keepAlive();
    stayButton.disabled = false;
    if (ok && state !== "ended") {
      state = "active";
      close();
    } else if (!ok && state !== "ended") {
      announce.textContent = "We could not reach the server. Check your connection and try again.";
    }
  });

  closeButton.addEventListener("click", () => {
    // Ended: the form stays as it is, with a way back to sign in on the page. Absolute: the
    // warning has been read; it opens again if the user is still here at the end.
    if (state !== "ended") {
      state = "dismissed";
    }
    close();
  });

  dialog.addEventListener("cancel", (event) => {
    // Escape: the same as the dialog's own way out, never a silent sign-out.
    event.preventDefault();
    if (state === "ended" || limitedByAbsolute()) {
      closeButton.click();
    } else {
      stayButton.click();
    }
  });

  // Keep focus inside the dialog while it is open.
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") {
      return;
    }
    const items = focusable();
    if (!items.length) {
      return;
    }
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });

  // Signed in again (in another tab): this page carries on with the new session.
  async function resume() {
    const data = await ask(statusUrl, "GET");
    if (!data) {
      return false;
    }
    believe(data);
    state = "active";
    close();
    return true;
  }

  // Another tab learned something: more time (close the warning), or a new sign-in.
  window.addEventListener("storage", (event) => {
    if (event.key !== STORE_KEY) {
      return;
    }
    const previousAbsolute = absoluteDeadline;
    if (!learn(read(STORE_KEY)) || deadline() <= Date.now() + warningMs) {
      return;
    }
    if (state === "ended" && absoluteDeadline !== previousAbsolute) {
      resume();
    } else if (state === "warning" || state === "dismissed") {
      state = "active";
      close();
    }
  });

  // Once the session has ended a form is not sent until there is a session again: the
  // sign-in page would lose what was typed. The dialog says what to do instead.
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (state !== "ended" || dialog.contains(form)) {
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      const submitter = event.submitter && event.submitter.form === form ? event.submitter : null;
      resume().then((signedIn) => {
        if (!signedIn) {
          open();
        } else if (submitter) {
          form.requestSubmit(submitter);
        } else {
          form.requestSubmit();
        }
      });
    },
    true
  );

  // htmx heard "signed out" (401) from the server: find out for certain.
  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.status === 401 && state !== "ended") {
      check();
    }
  });

  // The dialog's "dismissed" state lasts until the end (absolute limit) or a change of time.
  const originalTick = tick;
  async function guardedTick() {
    if (state === "dismissed" && Date.now() < deadline() + GRACE_MS) {
      return;
    }
    if (state === "dismissed") {
      state = "warning";
    }
    await originalTick();
  }

  // This page's knowledge joins what the other tabs know.
  if (!learn(read(STORE_KEY))) {
    share();
  }
  window.setInterval(guardedTick, TICK_MS);
})();
