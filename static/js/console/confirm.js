// Ask before an action that can't be undone (end the broadcast, call one off), in a native
// <dialog>: focus starts on the safe choice, Tab stays inside, Escape and the safe button say no,
// and focus goes back to the button that asked. Resolves true only for the confirming button.
export function confirmDialog(dialog) {
  const opener = document.activeElement;
  return new Promise((resolve) => {
    const done = (answer) => {
      dialog.removeEventListener("close", onClose);
      dialog.removeEventListener("click", onClick);
      if (dialog.open) dialog.close();
      if (opener && document.contains(opener)) opener.focus();
      resolve(answer);
    };
    const onClose = () => done(dialog.returnValue === "confirm");
    const onClick = (event) => {
      const button = event.target.closest("button[value]");
      if (button) {
        event.preventDefault();
        dialog.returnValue = button.value;
        done(button.value === "confirm");
      } else if (event.target === dialog) done(false); // the backdrop
    };
    dialog.returnValue = "";
    dialog.addEventListener("close", onClose);
    dialog.addEventListener("click", onClick);
    dialog.showModal();
    dialog.querySelector("button[value='cancel']")?.focus();
  });
}
