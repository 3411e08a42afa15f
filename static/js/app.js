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
