// Compiles static/src/app.scss with GOV.UK Frontend into static/govuk/ and copies
// the scripts and images the pages use. Run by `make assets`; output is not committed.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { compile } from "sass";

const out = "static/govuk";
mkdirSync(`${out}/assets`, { recursive: true });
const result = compile("static/src/app.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin"],
});
writeFileSync(`${out}/app.css`, result.css);
cpSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${out}/govuk-frontend.min.js`);
cpSync("node_modules/govuk-frontend/dist/govuk/assets/images", `${out}/assets/images`, { recursive: true });
console.log(`built ${out}/app.css (${result.css.length} bytes)`);
