// Who is logged in (GET /api/me once per page), and the way to the login page and back.
import { api } from "./api.js";

let current;

export function me() {
  if (current === undefined) current = api("/api/me").catch(() => null);
  return current;
}

export function forget() {
  current = undefined;
}

export function loginUrl() {
  return `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

export async function requireLogin() {
  const user = await me();
  if (!user) location.assign(loginUrl());
  return user;
}

export async function logout() {
  await api("/api/auth/logout", { method: "POST" }).catch(() => null);
  forget();
  location.assign("/");
}
