// Changing the kiosk from any page (a curve, skip, pause, a heart's removal): JSON, with
// the control token when this browser has one (kept in localStorage, one key for every
// page). A kiosk with web.control = "token" answers 401 without it and 403 for a wrong
// one: then the page asks for it in its #token-form (templates/_token_form.html), once
// for all the buttons waiting, and tries again. Loaded before each page's own script.
"use strict";

window.spirokioskControl = (function () {
  const TOKEN_KEY = "spirokiosk.controlToken";
  let asked = null; // the pending question, so two buttons share one prompt

  function storedToken() {
    try {
      return localStorage.getItem(TOKEN_KEY);
    } catch (err) {
      return null;
    }
  }

  function askForToken() {
    if (asked) return asked;
    const form = document.getElementById("token-form");
    const input = document.getElementById("token-input");
    asked = new Promise((resolve) => {
      form.hidden = false;
      input.value = "";
      input.focus();
      form.addEventListener("submit", function answered(event) {
        event.preventDefault();
        form.removeEventListener("submit", answered);
        form.hidden = true;
        try {
          localStorage.setItem(TOKEN_KEY, input.value.trim());
        } catch (err) {
          /* private mode: used for the change waiting; the next one asks again */
        }
        asked = null;
        resolve(input.value.trim());
      });
    });
    return asked;
  }

  // The kiosk's answer to a change: {response, answer} (answer: the JSON body, or null),
  // asking for the token when the kiosk wants one (three tries).
  async function send(method, path, body) {
    let token = storedToken();
    for (let attempt = 0; ; attempt++) {
      const headers = { "Content-Type": "application/json" };
      if (token) headers.Authorization = `Bearer ${token}`;
      const response = await fetch(path, {
        method,
        cache: "no-store",
        headers,
        body: JSON.stringify(body === undefined ? {} : body),
      });
      let answer = null;
      try {
        answer = await response.json();
      } catch (err) {
        /* not JSON: a proxy's error page */
      }
      const wantsToken =
        response.status === 401 || (response.status === 403 && answer && answer.control === "token");
      if (wantsToken && attempt < 3) {
        token = await askForToken();
        continue;
      }
      return { response, answer };
    }
  }

  return { send };
})();
