// The distributor workbench's own calls (library, one link per target, posters, links with
// results, bound buyers); the older ones stay in ../distribution-api.js.
import { api, ApiError } from "../api.js";
import { lang } from "../i18n.js";

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== "") search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : "";
}

export const library = ({ q, hostId, kind = "all", offset = 0, limit = 20 } = {}) =>
  api(`/api/distributors/me/library${query({ q, hostId, kind, offset, limit })}`);
// Made on the first tap, the same link on every tap after (the server keeps one per target).
export const ensureLink = (target) => api("/api/distributors/me/library/links", { method: "POST", body: target });
export const linkStats = (cursor) => api(`/api/distributors/me/links${query({ cursor, limit: 50 })}`);
export const boundBuyers = (cursor) => api(`/api/distributors/me/buyers${query({ cursor, limit: 50 })}`);

export function posterUrl(target) {
  return `/api/distributors/me/posters${query({ ...target, lang: lang() })}`;
}

// The PNG as a Blob; a refusal (problem+json) as an ApiError like every other call.
export async function poster(target) {
  let response;
  try {
    response = await fetch(posterUrl(target), { credentials: "same-origin" });
  } catch (exc) {
    throw new ApiError(0, "network_error", String(exc && exc.message));
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new ApiError(response.status, problem.code || "unknown", problem.detail || `${response.status}`, problem);
  }
  return response.blob();
}

// Absolute: what is copied or shared must open from a chat app, not only from this page.
export function absolute(url) {
  return url.startsWith("/") ? location.origin + url : url;
}
