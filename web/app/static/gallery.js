// The gallery page's buttons: heart (once per browser), draw now, remove a favourite.
"use strict";
(function () {
  const HEARTED = "spirokiosk.hearted";
  const note = document.getElementById("gallery-note");

  function hearted() {
    try { return new Set(JSON.parse(localStorage.getItem(HEARTED) || "[]")); }
    catch (e) { return new Set(); }
  }
  function remember(id) {
    const ids = hearted();
    ids.add(id);
    try { localStorage.setItem(HEARTED, JSON.stringify([...ids])); } catch (e) { /* private mode */ }
  }
  function say(text) { note.textContent = text; }

  // Every change is JSON (the kiosk refuses anything else: no other site's form can
  // send it), through control.js: with the control token, asked for when the kiosk
  // wants one.
  async function call(method, url, body) {
    const { response, answer: data } = await window.spirokioskControl.send(method, url, body);
    if (!response.ok) {
      throw new Error((data && data.error) || ("the kiosk answered " + response.status));
    }
    return data;
  }

  async function act(button, entry) {
    const id = Number(entry.dataset.id);
    const name = entry.querySelector("h2").textContent;
    button.disabled = true;
    try {
      if (button.dataset.action === "heart") {
        const data = await call("POST", "/api/gallery/" + id + "/heart");
        entry.querySelector(".hearts").textContent = data.hearts;
        remember(id);
        button.setAttribute("aria-pressed", "true");
        say("♥ " + name + " is a favourite");
        return;  // stays disabled: one heart per browser
      }
      if (button.dataset.action === "draw") {
        const data = await call("POST", "/api/curve", { gallery: id });
        say(data.queued + " will be drawn next");
      } else if (button.dataset.action === "unfavourite") {
        if (!window.confirm("Remove " + name + " from the favourites?")) return;
        await call("DELETE", "/api/gallery/" + id + "/favourite");
        say(name + " is no longer a favourite");
        if (entry.dataset.kind === "favourites") entry.remove(); else button.remove();
      }
    } catch (error) {
      say(error.message);
    } finally {
      if (button.dataset.action !== "heart" || button.getAttribute("aria-pressed") !== "true") {
        button.disabled = false;
      }
    }
  }

  // The studio reads a curve from its link as curveLink writes it (base64url JSON); the
  // export link also opens the studio's export box.
  for (const link of document.querySelectorAll("a[data-studio-curve]")) {
    try {
      const href = window.curveLink.href(JSON.parse(link.dataset.studioCurve));
      link.href = "studioExport" in link.dataset ? href + "&export" : href;
    } catch (e) { /* the server's link stays */ }
  }

  const mine = hearted();
  for (const entry of document.querySelectorAll(".entry")) {
    const heart = entry.querySelector(".heart");
    if (mine.has(Number(entry.dataset.id))) {
      heart.setAttribute("aria-pressed", "true");
      heart.disabled = true;
    }
    entry.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (button) act(button, entry);
    });
  }
})();
