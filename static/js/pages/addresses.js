// My address book (/me/addresses): the default first; add, edit, make default, delete (asked
// twice, in place: no window.confirm). Orders keep the address they were placed with.
import { errorText } from "../api.js";
import { addressBook, addressForm, addressSummary } from "../address.js";
import { $, act, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { requireLogin } from "../session.js";

let book = { items: [], limit: 20 };
let editing = null; // null: closed; {}: a new address; an entry: that one
let form = null;

function say(text) {
  $("#notice").textContent = text || "";
}

async function load() {
  try {
    book = await addressBook.list();
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}

function card(entry) {
  const error = h("p", { class: "error", role: "alert" });
  const run = (button, fn, done) => act(button, error, async () => {
    await fn();
    say(done);
    await load();
  });
  const remove = h("button", { type: "button", class: "small danger", "aria-label": `${t("addr.delete")} ${entry.name}` }, t("addr.delete"));
  let armed = false;
  remove.addEventListener("click", () => {
    if (!armed) {
      armed = true;
      remove.textContent = t("addr.confirmDelete");
      return;
    }
    run(remove, () => addressBook.remove(entry.id), t("addr.deleted"));
  });
  const makeDefault = entry.isDefault ? null
    : h("button", { type: "button", class: "small", "aria-label": `${t("addr.setDefault")} ${entry.name}`,
      onclick: (event) => run(event.currentTarget, () => addressBook.makeDefault(entry.id), t("addr.defaultSet")) }, t("addr.setDefault"));
  return h("article", { class: "card address-card", dataset: { addressId: entry.id } },
    addressSummary(entry),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "small", "aria-label": `${t("addr.edit")} ${entry.name}`, onclick: () => edit(entry) }, t("addr.edit")),
      makeDefault, remove),
    error);
}

function render() {
  $("#address-count").textContent = t("addr.count", { n: book.items.length, limit: book.limit });
  $("#addresses").replaceChildren(...(book.items.length ? book.items.map(card) : [h("p", { class: "empty" }, t("addr.none"))]));
  $("#add-address").hidden = book.items.length >= book.limit || editing !== null;
  const editor = $("#address-editor");
  editor.hidden = editing === null;
  if (editing !== null) {
    $("#editor-title").textContent = t(editing.id ? "addr.editTitle" : "addr.addTitle");
    form = addressForm({ prefix: "book", value: editing, showDefault: !editing.isDefault, defaultChecked: !book.items.length });
    $("#address-fields").replaceChildren(form.element);
  }
}

function edit(entry) {
  editing = entry;
  say("");
  render();
  $("#address-editor").scrollIntoView({ block: "start" });
  form.focus();
}

$("#add-address").addEventListener("click", () => edit({}));
$("#cancel-edit").addEventListener("click", () => {
  editing = null;
  render();
});
$("#address-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = $("#form-error");
  error.textContent = "";
  const { data } = form.read();
  if (!data) return;
  const button = event.submitter;
  if (button) button.disabled = true;
  try {
    if (editing.id) {
      const { isDefault, ...fields } = data;
      await addressBook.change(editing.id, isDefault ? { ...fields, isDefault: true } : fields);
    } else {
      await addressBook.add(data);
    }
    say(t("addr.saved"));
    editing = null;
    await load();
  } catch (err) {
    if (!form.showServerError(err)) error.textContent = errorText(err);
  } finally {
    if (button) button.disabled = false;
  }
});

await boot();
if (await requireLogin()) {
  onLangChange(render);
  load();
}
