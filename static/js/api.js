// One fetch wrapper: same-origin cookie auth, JSON in and out, and problem+json turned
// into an ApiError whose message is readable in the viewer's language (by its `code`).
import { has, lang, t } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, code, detail, body = null) {
    super(detail || code);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.body = body;
  }

  get readable() {
    return errorText(this);
  }
}

export function errorText(err) {
  const code = err && err.code;
  const detail = (err && (err.detail || err.message)) || "";
  if (code && has(`errors.${code}`)) return t(`errors.${code}`, { detail });
  return t("errors.unknown", { detail: detail || code || "?" });
}

export function newKey() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

export async function api(path, { method = "GET", body, headers = {}, idempotencyKey } = {}) {
  // The page's language, not the browser's: the server words its problem details in it.
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", "Accept-Language": lang(), ...headers } };
  if (body instanceof FormData) {
    init.body = body; // multipart/form-data (uploads): the browser writes the boundary
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  if (idempotencyKey) init.headers["Idempotency-Key"] = idempotencyKey;
  let response;
  try {
    response = await fetch(path, init);
  } catch (exc) {
    throw new ApiError(0, "network_error", String(exc && exc.message));
  }
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) {
    const problem = data && typeof data === "object" ? data : {};
    const code = problem.code || (response.status === 404 ? "not_found" : response.status >= 500 ? "internal_error" : "unknown");
    throw new ApiError(response.status, code, problem.detail || `${response.status} ${response.statusText}`, problem);
  }
  return data;
}

export const get = (path) => api(path);
export const post = (path, body, options = {}) => api(path, { ...options, method: "POST", body: body ?? {} });
export const put = (path, body) => api(path, { method: "PUT", body });
// One picture (a File) to POST /api/uploads/images: {id, url, thumbUrl, width, height, ...}.
export function uploadImage(file) {
  const form = new FormData();
  form.append("file", file);
  return api("/api/uploads/images", { method: "POST", body: form });
}
