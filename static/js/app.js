// Starts the GOV.UK and MOJ components on every page. No inline scripts anywhere,
// so the Content Security Policy can forbid them.
import { initAll } from "/static/vendor/govuk/govuk-frontend.min.js";
import { initAll as initMoj } from "/static/vendor/moj/moj-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
initMoj();

// htmx sends Django's CSRF token with every request it makes.
document.body.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("meta[name=csrf-token]");
  if (token) {
    event.detail.headers["X-CSRFToken"] = token.content;
  }
});

// Signing out on purpose forgets the copies of unsaved answers kept on this device
// (step-autosave.js keeps them so that an ended session loses nothing; a shared
// computer must not keep them after the worker has left). Drafts on the server stay.
document.querySelectorAll("form[action$='/logout/']").forEach((form) => {
  form.addEventListener("submit", () => {
    try {
      const storage = window.localStorage;
      for (let index = storage.length - 1; index >= 0; index -= 1) {
        const key = storage.key(index);
        if (key && key.startsWith("casemgmt:step:")) {
          storage.removeItem(key);
        }
      }
    } catch (error) {
      // Storage switched off: there is nothing kept to forget.
    }
  });
});
