// Distribution (built on another branch; paths from DESIGN §7), in one place to adjust.
import { api, newKey } from "./api.js";

export const becomeDistributor = (parentCode) => api("/api/distributors", { method: "POST", body: parentCode ? { parentCode } : {} });
export const myDistributor = () => api("/api/distributors/me");
export const myTeam = (level) => api(`/api/distributors/me/team${level ? `?level=${level}` : ""}`);
export const myCommissions = (status) => api(`/api/distributors/me/commissions${status ? `?status=${status}` : ""}`);
export const myWithdrawals = () => api("/api/distributors/me/withdrawals");
export const withdraw = (amount, note) => api("/api/distributors/me/withdrawals", { method: "POST", body: { amount, note }, idempotencyKey: newKey() });
export const shareLink = (target) => api("/api/share-links", { method: "POST", body: target });
export const myLinks = () => api("/api/share-links");

// The QR image is loaded from this origin by the link's code (the SVG encodes the public
// URL the server was configured with); else the link's own SVG URL or inline markup.
export function qrSource(link) {
  if (link.code) return { url: `/s/${encodeURIComponent(link.code)}/qr.svg` };
  if (link.qrSvgUrl) return { url: link.qrSvgUrl };
  if (link.qrSvg) return { svg: link.qrSvg };
  return null;
}
