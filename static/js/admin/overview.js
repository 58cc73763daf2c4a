// /admin: the console's front page. The figures (#overview-figures) are filled by the reports'
// module; here, a card for each part of the console.
import { h } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { ADMIN_LINKS, adminPage } from "./nav.js";

function render() {
  document.getElementById("overview-links").replaceChildren(...ADMIN_LINKS.filter(([href]) => href !== "/admin")
    .map(([href, key]) => h("a", { class: "card", href },
      h("h3", {}, t(key)), h("p", { class: "muted" }, t(`${key}.about`)))));
}

if (await adminPage()) {
  render();
  onLangChange(render);
}
