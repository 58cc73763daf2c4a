// One product outside a room (where a distributor's product link lands): what it is, its
// price, and the same buy sheet as the live room (pay from the wallet or on the gateway).
import { api } from "../api.js";
import { track, trackBuySheet } from "../beacon.js";
import { $, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { money } from "../money.js";
import { mountMemberCard } from "../member-card.js";
import { BuySheet } from "../room/buy-sheet.js";
import { GroupOfferView, GroupSheet } from "../room/group-buy.js";
import { loginUrl } from "../session.js";

const productId = Number(location.pathname.split("/").filter(Boolean)[1]);
let product = null;

function render() {
  if (!product) return;
  document.title = `${product.title} · ${t("app.name")}`;
  $("#product-title").textContent = product.title;
  $("#product-description").textContent = product.description || "";
  $("#product-price").textContent = money(product.minPrice);
  const image = $("#product-image");
  image.hidden = !(product.images && product.images.length);
  if (!image.hidden) image.src = product.images[0];
  const soldOut = product.skus.every((s) => s.stock <= 0);
  $("#product-sold-out").hidden = !soldOut;
  $("#product").hidden = false;
}

async function start() {
  const user = await boot();
  const buy = new BuySheet($("#buy-sheet"), $("#buy-body"), { roomId: null, loginHref: loginUrl() });
  buy.loggedIn = Boolean(user);
  try {
    product = await api(`/api/products/${productId}`);
  } catch (err) {
    showError(err, $("#error"));
    return;
  }
  render();
  onLangChange(render);
  track("product_view", { productId }); // behaviour events (beacon.js)
  trackBuySheet($("#buy-body"), () => ({ productId }));
  $("#product-buy").addEventListener("click", () => buy.open(product));
  // A group buy: 单独购买 beside 发起拼团 instead of the one buy button, and the open groups.
  const groupSheet = new GroupSheet($("#group-sheet"), $("#group-sheet-body"), { loginHref: loginUrl(), loggedIn: Boolean(user) });
  const groups = new GroupOfferView($("#group-offer"), { sheet: groupSheet, buyAlone: () => buy.open(product) });
  await groups.load(product);
  $("#product-actions").hidden = Boolean(groups.offer);
  onLangChange(() => groups.render());
  if (user) mountMemberCard($("#member-card"), product.hostId); // my tier with this host
}

start();
