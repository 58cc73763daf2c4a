// The like button: hearts float up at once, likes are batched into one frame (≤ 50) per
// 300 ms so a tapping thumb costs the server a few frames a second, not dozens.
import { h } from "../dom.js";

const COLORS = ["#fe2c55", "#ff8fab", "#ffb020", "#ff5fd2", "#7bd3ff"];

export class Hearts {
  constructor(button, layer, send) {
    this.layer = layer;
    this.send = send;
    this.pending = 0;
    this.timer = null;
    button.addEventListener("click", () => this.like());
  }

  like() {
    this.float();
    this.pending = Math.min(this.pending + 1, 50);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), 300);
  }

  flush() {
    this.timer = null;
    if (this.pending > 0 && this.send({ type: "like", count: this.pending })) this.pending = 0;
  }

  float(count = 1) {
    for (let i = 0; i < Math.min(count, 6); i += 1) {
      const heart = h("span", { class: "heart" }, "♥");
      heart.style.color = COLORS[Math.floor(Math.random() * COLORS.length)];
      heart.style.setProperty("--dx", `${Math.round(Math.random() * 60 - 40)}px`);
      heart.style.animationDelay = `${i * 90}ms`;
      heart.addEventListener("animationend", () => heart.remove());
      this.layer.append(heart);
    }
  }
}
