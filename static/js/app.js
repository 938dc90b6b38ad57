// ticketui's own behaviour on top of htmx: confirmation before destructive operations.
(function () {
  "use strict";
  // With JavaScript the phone's top bar folds into its menu button (without, it stays open).
  document.documentElement.classList.add("js");
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-menu-button]");
    if (!button) return;
    const menu = document.getElementById(button.getAttribute("aria-controls"));
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    if (menu) menu.classList.toggle("is-open", open);
  });
  // The words come from the page, so they are in the reader's language.
  function destructive(action, form) {
    const title = form.dataset["confirm" + action[0].toUpperCase() + action.slice(1) + "Title"];
    const text = form.dataset["confirm" + action[0].toUpperCase() + action.slice(1) + "Text"];
    return title ? { title: title, text: text } : null;
  }

  function confirmDialog(title, text, extra) {
    const dialog = document.getElementById("confirm-dialog");
    dialog.querySelector(".dialog-title").textContent = title;
    dialog.querySelector(".dialog-text").textContent = text;
    // The server's own words (the bulk confirmation's counts), already escaped by its template.
    const slot = dialog.querySelector(".dialog-extra");
    if (slot) slot.innerHTML = extra || "";
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
    const words = chosen && destructive(chosen.value, form);
    if (!words) return;
    event.preventDefault();
    confirmDialog(words.title, words.text).then((ok) => {
      if (ok) event.detail.issueRequest(true);
    });
  });

  // Bulk selection on the ticket list: the bar shows once something is selected; the header box
  // selects the page; "all matching" selects the whole filter on the server's side.
  function bulkCount(form) {
    const matching = form.querySelector("[data-bulk-all-matching]");
    if (matching && matching.checked) return Number(form.dataset.filterCount);
    return document.querySelectorAll("[data-bulk-ticket]:checked").length;
  }
  function bulkRefresh() {
    const form = document.getElementById("bulk-form");
    if (!form) return;
    const count = bulkCount(form);
    const matching = form.querySelector("[data-bulk-all-matching]");
    form.hidden = count === 0 && !(matching && matching.checked);
    form.querySelector("[data-bulk-count]").textContent = form.dataset.selectedText.replace("{count}", count);
    const all = document.querySelectorAll("[data-bulk-ticket]");
    const checked = document.querySelectorAll("[data-bulk-ticket]:checked").length;
    const page = document.querySelector("[data-bulk-page]");
    if (page) {
      page.checked = all.length > 0 && checked === all.length;
      page.indeterminate = checked > 0 && checked < all.length;
    }
  }
  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches("[data-bulk-page]")) {
      document.querySelectorAll("[data-bulk-ticket]").forEach((box) => { box.checked = target.checked; });
      const matching = document.querySelector("[data-bulk-all-matching]");
      if (matching && !target.checked) matching.checked = false;
    } else if (target.matches("[data-bulk-all-matching]") && target.checked) {
      document.querySelectorAll("[data-bulk-ticket]").forEach((box) => { box.checked = true; });
    } else if (target.matches("[data-bulk-ticket]") && !target.checked) {
      const matching = document.querySelector("[data-bulk-all-matching]");
      if (matching) matching.checked = false;
    } else if (!target.matches("[data-bulk-ticket]")) return;
    bulkRefresh();
  });
  document.addEventListener("DOMContentLoaded", bulkRefresh);
  document.addEventListener("htmx:load", bulkRefresh);
  document.addEventListener("htmx:confirm", (event) => {
    const form = event.target;
    if (!form.matches || !form.matches("form[data-bulk-bar]")) return;
    const action = form.querySelector("select[name=action_id]").value;
    const key = "confirm" + action[0].toUpperCase() + action.slice(1);
    const title = form.dataset[key + "Title"];
    if (!title) return;
    const count = String(bulkCount(form));
    const assignee = form.querySelector("select[name=assignee]");
    const owner = assignee && assignee.selectedOptions[0] ? assignee.selectedOptions[0].textContent.trim() : "";
    const text = form.dataset[key + "Text"] || form.dataset.confirmText;
    event.preventDefault();
    // The form's own action is the confirmation step: it counts what the status machine allows.
    const headers = { "HX-Request": "true" };
    const preview = action === "assign" ? Promise.resolve("") :
      fetch(form.action, { method: "POST", body: new FormData(form), headers: headers, credentials: "same-origin" })
        .then((response) => (response.ok ? response.text() : ""))
        .catch(() => "");
    preview.then((extra) => confirmDialog(title.replace("{count}", count).replace("{owner}", owner), text.replace("{count}", count), extra)).then((ok) => {
      if (ok) event.detail.issueRequest(true);
    });
  });
  // "Give to an owner" is the one bulk action that needs a person: their choice shows with it.
  function bulkAssigneeRefresh() {
    const form = document.getElementById("bulk-form");
    const field = form && form.querySelector("[data-bulk-assignee]");
    if (field) field.hidden = form.querySelector("select[name=action_id]").value !== "assign";
  }
  document.addEventListener("change", (event) => {
    if (event.target.matches("#bulk-form select[name=action_id]")) bulkAssigneeRefresh();
  });
  document.addEventListener("DOMContentLoaded", bulkAssigneeRefresh);
  document.addEventListener("htmx:load", bulkAssigneeRefresh);

  // A fragment that could not be fetched says so instead of failing silently.
  const toast = document.getElementById("toast");
  let toastTimer;
  function showProblem(text) {
    if (!toast) return;
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { toast.hidden = true; }, 8000);
  }
  document.addEventListener("htmx:responseError", (event) => {
    const status = event.detail.xhr.status;
    if (status === 403) showProblem(document.body.dataset.msgForbidden);
    else showProblem(document.body.dataset.msgError.replace("%s", status));
  });
  document.addEventListener("htmx:sendError", () => showProblem(document.body.dataset.msgOffline));

  // Keyboard shortcuts on lists marked data-keyboard-list: / search, j/k move, o or Enter open, ? help.
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }
  function rows() {
    return Array.from(document.querySelectorAll("[data-keyboard-list] [data-row]"));
  }
  function move(step) {
    const all = rows();
    if (!all.length) return;
    const current = all.findIndex((row) => row.classList.contains("is-current"));
    const next = all[Math.min(all.length - 1, Math.max(0, current + step))] || all[0];
    all.forEach((row) => row.classList.remove("is-current"));
    next.classList.add("is-current");
    next.scrollIntoView({ block: "nearest" });
    const link = next.querySelector("a");
    if (link) link.focus({ preventScroll: true });
  }
  function openHelp() {
    const help = document.getElementById("shortcuts-help");
    if (help && !help.open) help.showModal();
  }
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-shortcuts-help]")) openHelp();
  });
  document.addEventListener("keydown", (event) => {
    if (!document.querySelector("[data-keyboard-list], #shortcuts-help")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && typing(event.target)) { event.target.blur(); return; }
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    const search = document.querySelector("input[type=search]");
    if (event.key === "/" && search) { event.preventDefault(); search.focus(); search.select(); }
    else if (event.key === "j") { event.preventDefault(); move(1); }
    else if (event.key === "k") { event.preventDefault(); move(-1); }
    else if (event.key === "o") {
      const current = document.querySelector("[data-row].is-current a");
      if (current) current.click();
    } else if (event.key === "?") { event.preventDefault(); openHelp(); }
    else if (document.querySelector("[data-keyboard-ticket]")) ticketKey(event);
  });

  // On the ticket page: r writes a reply, c chooses "close" in the operation form, g then l goes
  // back to the list (the breadcrumb's link, so the list's own address).
  let awaitingSecond = 0;
  function ticketKey(event) {
    const now = Date.now();
    if (event.key === "l" && now - awaitingSecond < 1500) {
      awaitingSecond = 0;
      const back = document.querySelector(".breadcrumbs a");
      if (back) { event.preventDefault(); back.click(); }
      return;
    }
    awaitingSecond = event.key === "g" ? now : 0;
    if (event.key === "r") {
      const reply = document.querySelector("#reply-panel textarea[name=content]");
      if (reply) { event.preventDefault(); reply.focus(); reply.scrollIntoView({ block: "center" }); }
    } else if (event.key === "c") {
      const close = document.querySelector("#operation-panel input[name=action_id][value=close]");
      if (!close) return;
      event.preventDefault();
      close.checked = true;
      close.dispatchEvent(new Event("change", { bubbles: true }));
      const text = document.querySelector("#operation-panel [name=operate_desc]") || close;
      text.focus();
      text.scrollIntoView({ block: "center" });
    }
  }
})();
