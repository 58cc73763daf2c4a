// The sandbox gateway's pay page (usually inside the shop's pay dialog). "Pay" is a same-origin
// JSON POST sent with the payer's cookie; the shop learns the outcome on its own side, this page
// only shows it.
import { api, errorText } from "./api.js";
import { langButton } from "./header.js";
import { apply, onLangChange, t } from "./i18n.js";
import { loginUrl } from "./session.js";

const main = document.querySelector("main");
const status = document.querySelector("#status");
const pay = document.querySelector("#pay");
const result = document.querySelector("#result");
const error = document.querySelector("#error");
let paid = "";

function render() {
  apply();
  status.textContent = t(`sandbox.status.${main.dataset.status}`);
  result.textContent = paid ? t(paid === "duplicate" ? "sandbox.alreadyPaid" : "sandbox.paid") : "";
}

document.querySelector("#lang-slot").replaceWith(langButton());
onLangChange(render);
render();

if (main.dataset.state === "login") {
  location.assign(loginUrl()); // back here once logged in
} else {
  pay.addEventListener("click", async () => {
    pay.disabled = true;
    error.textContent = "";
    try {
      const done = await api(`/sandbox/pay/${main.dataset.paymentId}/complete`, { method: "POST", body: {} });
      paid = done.result;
      main.dataset.status = "succeeded";
    } catch (err) {
      error.textContent = errorText(err);
      pay.disabled = false;
    }
    render();
  });
}
