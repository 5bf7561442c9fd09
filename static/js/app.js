// Progressive enhancement only: every page works without this file.
import { initAll } from "/static/govuk/govuk-frontend.min.js";
import { initConditionalQuestions } from "/static/js/conditional-questions.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
initConditionalQuestions();
