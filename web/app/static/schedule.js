// The screen schedule on the page: its state from the status the page already polls
// (the "spirokiosk:status" event), and buttons for the override (POST
// /api/schedule/override, JSON; with the control token when the browser keeps one).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);

  function describe(schedule) {
    if (!schedule) return "on";
    let words = schedule.state;
    if (schedule.next_change) {
      const when = new Date(schedule.next_change);
      const time = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      words += ` until ${time}`;
    }
    if (schedule.override) words += " (by hand)";
    return words;
  }

  async function override(state) {
    const { response, answer } = await window.spirokioskControl.send(
      "POST", "/api/schedule/override", { state: state || null }
    );
    if (!response.ok) throw new Error(answer && answer.error ? answer.error : `the kiosk answered ${response.status}`);
    return answer;
  }

  function setup() {
    const form = $("screen-control");
    if (!form) return;
    form.hidden = false;
    form.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-state]");
      if (!button) return;
      const result = $("screen-result");
      try {
        await override(button.dataset.state);
        result.dataset.state = "ok";
        result.textContent = button.dataset.state ? `screen ${button.dataset.state} asked for` : "back to the schedule";
      } catch (error) {
        result.dataset.state = "error";
        result.textContent = error.message;
      }
    });
    document.addEventListener("spirokiosk:status", (event) => {
      $("screen-state").textContent = describe(event.detail.schedule);
    });
    if (window.spirokioskStatus) $("screen-state").textContent = describe(window.spirokioskStatus.schedule);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
