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
  drawBeam(tilt);
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
// The lamp seen from the side: drag the beam round (up: ceiling, sideways: wall, down: table).
function drawBeam(tilt) {
  const angle = (tilt * Math.PI) / 180;
  const [x, y] = [50 * Math.sin(angle), -50 * Math.cos(angle)];
  $("#lamp-beam").setAttribute("x2", x.toFixed(1));
  $("#lamp-beam").setAttribute("y2", y.toFixed(1));
  $("#lamp-handle").setAttribute("cx", x.toFixed(1));
  $("#lamp-handle").setAttribute("cy", y.toFixed(1));
  $("#lamp-drag").setAttribute("aria-valuenow", String(Math.round(tilt)));
}
function tiltTo(tilt) {
  const angle = (tilt * Math.PI) / 180;
  send({ gravity: [0, -Math.sin(angle), -Math.cos(angle)] });
}
{
  const dial = $("#lamp-drag");
  let dragging = false;
  const tiltAt = (event) => {
    const box = dial.getBoundingClientRect();
    const dx = event.clientX - (box.left + box.width / 2);
    const dy = event.clientY - (box.top + box.height / 2);
    // Either side of the lamp is the same tilt: the panel turns it in one plane.
    return (Math.atan2(Math.abs(dx), -dy) * 180) / Math.PI;
  };
  dial.addEventListener("pointerdown", (event) => {
    dragging = true;
    dial.setPointerCapture(event.pointerId);
    drawBeam(tiltAt(event));
  });
  dial.addEventListener("pointermove", (event) => {
    if (!dragging) return;
    const tilt = tiltAt(event);
    drawBeam(tilt);
    $("#tilt-value").textContent = `${Math.round(tilt)}°`;
  });
  dial.addEventListener("pointerup", (event) => {
    if (!dragging) return;
    dragging = false;
    tiltTo(tiltAt(event));
  });
  dial.addEventListener("keydown", (event) => {
    const step = { ArrowUp: -5, ArrowLeft: -5, ArrowDown: 5, ArrowRight: 5 }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    const tilt = Math.max(0, Math.min(180, Number($("#tilt").value) + step));
    tiltTo(tilt);
  });
}
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

// The plotter: the form, the controls, and the wall with its cords, gondola and paper.
let plotter = null;
let canvasAt = 0;
const speedOf = (slider) => Math.round(10 ** Number(slider)); // 0…3 → ×1 … ×1000

function choices(select, names) {
  if (select.options.length === names.length) return;
  select.replaceChildren(...names.map((name) => new Option(name, name)));
}

function showPlotter(panel) {
  plotter = panel;
  choices($("#sample"), panel.samples);
  choices($("#style"), panel.styles);
  const [spacing, [left, top, width, height]] = [panel.motor_spacing_mm, panel.paper_mm];
  const tall = top + height + 40;
  const rig = $("#rig");
  rig.setAttribute("viewBox", `-20 -20 ${spacing + 40} ${tall + 20}`);
  const pen = panel.pen_mm || [spacing / 2, top];
  rig.innerHTML =
    `<line x1="0" y1="0" x2="${pen[0]}" y2="${pen[1]}" stroke="#555" stroke-width="1"/>` +
    `<line x1="${spacing}" y1="0" x2="${pen[0]}" y2="${pen[1]}" stroke="#555" stroke-width="1"/>` +
    `<circle cx="0" cy="0" r="8" fill="#333"/><circle cx="${spacing}" cy="0" r="8" fill="#333"/>` +
    `<circle cx="${pen[0]}" cy="${pen[1]}" r="6" fill="${panel.pen_down ? "#c22" : "#fff"}" stroke="#333" stroke-width="2"/>`;
  // The paper's picture sits where the paper hangs on the wall.
  const scale = rig.clientWidth / (spacing + 40);
  const image = $("#canvas");
  image.style.left = `${(left + 20) * scale}px`;
  image.style.top = `${(top + 20) * scale}px`;
  image.style.width = `${width * scale}px`;
  const drawing = panel.activity === "plotting";
  const now = Date.now();
  if (drawing ? now - canvasAt > 1000 : canvasAt === 0 || panel.activity !== lastActivity) {
    canvasAt = now;
    image.src = `api/plotter/canvas.png?at=${now}`;
  }
  lastActivity = panel.activity;
  const job = panel.job ? `${panel.job.sample}, ${panel.job.style}, seed ${panel.job.seed}` : "";
  $("#plotter-status").textContent =
    `${panel.activity}${job ? " · " + job : ""}` +
    (panel.strokes ? ` · stroke ${panel.stroke} of ${panel.strokes}` : "") +
    (panel.message ? ` · ${panel.message}` : "");
  $("#plotter-numbers").textContent =
    `cords ${panel.cords_mm.map((c) => c.toFixed(1)).join(" / ")} mm · ` +
    `steps ${panel.steps.join(" / ")} · pen ${panel.pen_down ? "down" : "up"}`;
  $("#speed-value").textContent = `×${Math.round(panel.speed)}`;
  $("#pause").disabled = !drawing;
  $("#resume").disabled = panel.activity !== "paused";
  $("#plot").disabled = drawing || panel.activity === "planning";
}
let lastActivity = "";

async function plotterCall(method, path, body) {
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
    showPlotter(data);
  } catch (error) {
    $("#plotter-status").textContent = error.message;
  }
}

$("#plot-form").addEventListener("submit", (event) => {
  event.preventDefault();
  plotterCall("POST", "api/plotter/plot", {
    sample: $("#sample").value,
    style: $("#style").value,
    seed: Number($("#seed").value) || 0,
  });
});
$("#pause").addEventListener("click", () => plotterCall("POST", "api/plotter/pause"));
$("#resume").addEventListener("click", () => plotterCall("POST", "api/plotter/resume"));
$("#speed").addEventListener("input", (event) => {
  $("#speed-value").textContent = `×${speedOf(event.target.value)}`;
});
$("#speed").addEventListener("change", (event) =>
  plotterCall("PUT", "api/plotter/speed", { speed: speedOf(event.target.value) }));
// Ten looks a second: the gondola moves smoothly even at ×1000.
setInterval(() => plotterCall("GET", "api/plotter/panel"), 100);
plotterCall("GET", "api/plotter/panel");

// Recordings: a logic analyser on each machine's board, downloaded as VCD (GTKWave, PulseView).
for (const block of document.querySelectorAll(".recording")) {
  const machine = block.dataset.machine;
  const button = block.querySelector(".record");
  const show = (state) => {
    block.dataset.recording = String(state.recording);
    button.textContent = state.recording ? "Stop recording" : "Start recording the pins";
    block.querySelector(".download").hidden = !state.ready || state.recording;
    block.querySelector(".recording-state").textContent = state.ready
      ? `${state.seconds.toFixed(1)} s${state.recording ? " so far" : ""}`
      : "";
  };
  button.addEventListener("click", async () => {
    const response = await fetch(`api/recordings/${machine}`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ recording: block.dataset.recording !== "true" }),
    });
    show(await response.json());
  });
  setInterval(async () => {
    if (block.dataset.recording === "true") {
      show(await (await fetch(`api/recordings/${machine}`)).json());
    }
  }, 1000);
}

// Uploads: the picture is checked by the planner's own reader; the page says why if not.
$("#upload").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  try {
    const response = await fetch(`api/plotter/uploads?name=${encodeURIComponent(file.name)}`, {
      method: "POST",
      headers: { "Content-Type": file.type || "application/octet-stream" },
      body: file,
    });
    const data = await response.json();
    if (!response.ok) {
      throw new Error(data.error || `${response.status} ${response.statusText}`);
    }
    $("#sample").replaceChildren(); // the list is filled again with the upload in it
    await plotterCall("GET", "api/plotter/panel");
    $("#sample").value = data.sample;
    $("#plotter-status").textContent = `${data.sample} is ready to plot`;
  } catch (error) {
    $("#plotter-status").textContent = error.message;
  }
  event.target.value = "";
});

// A preview: the plan's numbers and time, its picture, and its files to download.
const clock = (seconds) => {
  const s = Math.round(seconds);
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
};
$("#preview").addEventListener("click", async () => {
  $("#plotter-status").textContent = "planning…";
  try {
    const response = await fetch("api/plotter/preview", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        sample: $("#sample").value,
        style: $("#style").value,
        seed: Number($("#seed").value) || 0,
      }),
    });
    const summary = await response.json();
    if (!response.ok) {
      throw new Error(summary.error || `${response.status} ${response.statusText}`);
    }
    $("#preview-summary").textContent =
      `${summary.strokes} strokes, ${(summary.pen_down_mm / 1000).toFixed(1)} m of ink, ` +
      `${clock(summary.plot_time_s)} to plot (at ×1)`;
    $("#preview-image").src = `api/plotter/preview/plan.png?at=${Date.now()}`;
    $("#preview-box").hidden = false;
    $("#plotter-status").textContent = "";
  } catch (error) {
    $("#plotter-status").textContent = error.message;
  }
});
