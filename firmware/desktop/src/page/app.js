// The desktop simulator's hardware panel: each control sends one change to the simulated part
// and shows what the simulator reports back.
"use strict";

const $ = (selector) => document.querySelector(selector);

async function send(change) {
  const status = $("#lantern-status");
  try {
    const response = await fetch("api/lantern/panel", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(change),
    });
    const data = await response.json();
    if (!response.ok) {
      throw new Error(data.error || `${response.status} ${response.statusText}`);
    }
    show(data);
    status.textContent = "";
    status.classList.remove("error");
  } catch (error) {
    status.textContent = error.message;
    status.classList.add("error");
  }
}

function show(panel) {
  for (const button of document.querySelectorAll("[data-toward]")) {
    button.setAttribute("aria-pressed", String(button.dataset.toward === panel.toward));
  }
  // Tilt from upright: the angle between gravity and "beam up" (sensor -Z).
  const [x, y, z] = panel.gravity;
  const tilt = Math.round((Math.acos(Math.max(-1, Math.min(1, -z))) * 180) / Math.PI);
  $("#tilt").value = tilt;
  $("#tilt-value").textContent = `${tilt}°`;
  $("#noise").value = panel.noise_g;
  $("#noise-value").textContent = `${panel.noise_g.toFixed(3)} g`;
  $("#wobble").checked = panel.wobble;
}

for (const button of document.querySelectorAll("[data-toward]")) {
  button.addEventListener("click", () => send({ toward: button.dataset.toward }));
}
$("#tilt").addEventListener("input", (event) => {
  $("#tilt-value").textContent = `${event.target.value}°`;
});
$("#tilt").addEventListener("change", (event) => {
  // Tilting forward from upright: gravity swings from -Z (ceiling) through -Y (wall) to +Z.
  const angle = (Number(event.target.value) * Math.PI) / 180;
  send({ gravity: [0, -Math.sin(angle), -Math.cos(angle)] });
});
$("#noise").addEventListener("change", (event) => send({ noise_g: Number(event.target.value) }));
$("#wobble").addEventListener("change", (event) => send({ wobble: event.target.checked }));
$("#knock").addEventListener("click", () => send({ knock: true }));

fetch("api/lantern/panel")
  .then((response) => response.json())
  .then(show)
  .catch((error) => {
    $("#lantern-status").textContent = error.message;
  });

// The comic robot: the button, the LEDs and the paper, polled while the page is open.
let comic = null;
let paperPrinted = -1;
let paperAt = 0;

function showComic(panel) {
  comic = panel;
  for (const name of ["ready", "busy", "error"]) {
    $(`#led-${name}`).classList.toggle("on", panel.leds[name]);
  }
  $("#paper-toggle").textContent = panel.paper_out ? "Put a new roll in" : "Take the paper out";
  $("#cable-toggle").textContent = panel.plugged ? "Pull the cable" : "Plug the cable in";
  $("#comic-counts").textContent =
    `${panel.accepted} pressed, ${panel.printed} on paper, ${panel.cuts} cuts` +
    (panel.paper_out ? " · paper out" : "") + (panel.plugged ? "" : " · cable pulled");
  const events = $("#comic-events");
  events.replaceChildren(...panel.events.map((text) => {
    const item = document.createElement("li");
    item.textContent = text;
    return item;
  }));
  // A new picture of the paper when a comic is done, and every 2 s while one prints out.
  const now = Date.now();
  if (panel.printed !== paperPrinted || (panel.leds.busy && now - paperAt > 2000)) {
    paperPrinted = panel.printed;
    paperAt = now;
    $("#paper").src = `api/comic/paper.png?at=${now}`;
  }
}

async function comicCall(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  try {
    const response = await fetch(path, options);
    const data = await response.json();
    if (!response.ok) {
      throw new Error(data.error || `${response.status} ${response.statusText}`);
    }
    showComic(data);
  } catch (error) {
    $("#comic-counts").textContent = error.message;
  }
}

// Newest paper at the bottom, as it comes out of the printer.
$("#paper").addEventListener("load", () => {
  const roll = $(".paper");
  roll.scrollTop = roll.scrollHeight;
});
$("#press").addEventListener("click", () => comicCall("POST", "api/comic/press"));
document.addEventListener("keydown", (event) => {
  if (event.code === "Space" && !(event.target instanceof HTMLInputElement) &&
      !(event.target instanceof HTMLButtonElement)) {
    event.preventDefault();
    comicCall("POST", "api/comic/press");
  }
});
$("#paper-toggle").addEventListener("click", () =>
  comicCall("PUT", "api/comic/printer", { paper_out: !(comic && comic.paper_out) }));
$("#cable-toggle").addEventListener("click", () =>
  comicCall("PUT", "api/comic/printer", { plugged: !(comic && comic.plugged) }));
// The LEDs blink at up to 2 Hz: five looks a second show every blink.
setInterval(() => comicCall("GET", "api/comic/panel"), 200);
comicCall("GET", "api/comic/panel");
