// Coupons and red packets (built on another branch; paths from DESIGN §7). Shapes are
// normalised here so the UI reads one form, whatever the final payloads look like.
import { api, newKey } from "./api.js";

export function couponOf(raw) {
  const c = (raw && (raw.coupon || raw)) || {};
  return {
    id: c.id ?? c.couponId,
    title: c.title || "",
    kind: c.kind || "amount_off",
    amountOff: c.amountOff || 0,
    percentOffBp: c.percentOffBp || 0,
    maxDiscount: c.maxDiscount ?? null,
    minSpend: c.minSpend || 0,
    quota: c.quota ?? null,
    issued: c.issued ?? c.claimed ?? null,
    validTo: c.validTo || null,
    productIds: c.productIds || [],
  };
}

export function redPacketOf(raw) {
  const p = (raw && (raw.redPacket || raw)) || {};
  return {
    id: p.id ?? p.redPacketId,
    greeting: p.greeting || "",
    count: p.count ?? null,
    totalAmount: p.totalAmount ?? null,
    claimedCount: p.claimedCount ?? 0,
    status: p.status || "active",
    claims: p.claims || [],
    bestLuck: p.bestLuck || null,
  };
}

// What these items cost, with the buyer's claimed copy `userCouponId` (or none), priced by the
// server exactly as the order will be: { totalAmount, discountAmount, payAmount, userCouponId,
// coupons: [{ userCouponId, couponId, title, discountAmount, applicable, reason }],
// bestUserCouponId }. The page never works a discount out itself.
export const quote = (items, userCouponId = null) =>
  api("/api/checkout/quote", { method: "POST", body: { items, userCouponId: userCouponId ?? null } });

export const claimCoupon = (couponId) => api(`/api/coupons/${couponId}/claim`, { method: "POST", body: {}, idempotencyKey: newKey() });
export const myCoupons = (status) => api(`/api/me/coupons${status ? `?status=${status}` : ""}`);
export const createCoupon = (roomId, body) => api(`/api/rooms/${roomId}/coupons`, { method: "POST", body });
export const sendRedPacket = (roomId, body) => api(`/api/rooms/${roomId}/red-packets`, { method: "POST", body, idempotencyKey: newKey() });
export const grabRedPacket = (packetId) => api(`/api/red-packets/${packetId}/grab`, { method: "POST", body: {} });
export const redPacket = (packetId) => api(`/api/red-packets/${packetId}`);
