// Native <dialog> sheets: focus moves in and back, Escape and the close button close them.
export function sheet(dialog, { onClose } = {}) {
  let opener = null;
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog || event.target.closest("[data-close]")) dialog.close();
  });
  dialog.addEventListener("close", () => {
    onClose?.();
    if (opener && document.contains(opener)) opener.focus();
  });
  return {
    open() {
      opener = document.activeElement;
      if (!dialog.open) dialog.showModal();
    },
    close() {
      if (dialog.open) dialog.close();
    },
    get isOpen() {
      return dialog.open;
    },
  };
}
