// My group buys (我的拼团) on my orders page: each group's product, seats (已拼 2/3), my place
// (拼团中, 已成团, 已退款) and the time left, linking to the group's page to share or follow it.
import { api } from "./api.js";
import * as clock from "./clock.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { money } from "./money.js";

export async function mountMyGroups(root) {
  let mine = [];
  try {
    mine = await api("/api/me/group-buys");
  } catch {
    mine = [];
  }
  root.hidden = !mine.length;
  if (!mine.length) return root.replaceChildren();
  if (mine[0]) clock.sync(mine[0].group.serverNow);
  root.replaceChildren(h("h2", { id: "my-groups-h" }, t("group.mine")),
    h("ul", { class: "stack my-groups" }, mine.map(({ group, orderId }) => {
      const place = group.me ? t(`group.status.${group.me.status}`) : "";
      const open = group.status === "open" && Date.parse(group.expiresAt) > clock.now();
      return h("li", { class: "card", dataset: { groupId: String(group.id), orderId: String(orderId) } },
        h("a", { href: `/g/${group.id}` }, h("strong", {}, group.productTitle)),
        h("div", {}, money(group.groupPrice), " · ", `${group.paidCount}/${group.groupSize}`, " · ", place),
        open ? h("div", { class: "muted" }, t("group.need", { n: group.seatsLeft }), " · ", t("group.left"), " ",
          clock.countdown(Date.parse(group.expiresAt) - clock.now())) : null);
    })));
}
