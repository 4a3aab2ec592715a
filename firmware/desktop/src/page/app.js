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
