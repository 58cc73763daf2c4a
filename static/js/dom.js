// Tiny DOM helpers: build elements, announce results, show errors where the action was.
import { errorText } from "./api.js";

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name in el && typeof value !== "string") el[name] = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);

let toasts;
export function toast(text, { error = false, ms = 3500 } = {}) {
  if (!toasts) {
    toasts = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(toasts);
  }
  const item = h("div", { class: `toast${error ? " err" : ""}` }, text);
  toasts.append(item);
  setTimeout(() => item.remove(), ms);
}

// Put the readable error in the action's own error region (role="alert"), else a toast.
export function showError(err, region) {
  const text = errorText(err);
  if (region) {
    region.textContent = text;
    region.hidden = false;
  } else toast(text, { error: true });
  return text;
}

export function clear(region) {
  if (region) region.textContent = "";
}

// Run an async action from a button: disabled while it runs, errors shown, never thrown.
export async function act(button, region, fn) {
  clear(region);
  if (button) button.disabled = true;
  try {
    return await fn();
  } catch (err) {
    showError(err, region);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}
