// ticketui's own behaviour on top of htmx: confirmation before destructive operations.
(function () {
  "use strict";
  const DESTRUCTIVE = {
    cancel: { title: "Cancel this ticket?", text: "The upstream will cancel ticket %s. This cannot be undone." },
    delete: { title: "Delete this ticket?", text: "The upstream will delete ticket %s. This cannot be undone." },
  };

  function confirmDialog(title, text) {
    const dialog = document.getElementById("confirm-dialog");
    dialog.querySelector(".dialog-title").textContent = title;
    dialog.querySelector(".dialog-text").textContent = text;
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
      dialog.returnValue = "";
      dialog.showModal();
    });
  }

  document.addEventListener("htmx:confirm", (event) => {
    const form = event.target.closest("form[data-confirm-operation]");
    if (!form || event.target !== form) return;
    const chosen = form.querySelector("input[name=action_id]:checked");
    const words = chosen && DESTRUCTIVE[chosen.value];
    if (!words) return;
    event.preventDefault();
    confirmDialog(words.title, words.text.replace("%s", form.dataset.caseId)).then((ok) => {
      if (ok) event.detail.issueRequest(true);
    });
  });
})();
