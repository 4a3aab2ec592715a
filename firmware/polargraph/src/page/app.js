// The plotter's page: plain JavaScript, no build step, nothing from the network but the plotter.
"use strict";

const $ = (selector, root = document) => root.querySelector(selector);
let paired = false;

function say(text, isError) {
  const status = $("#status");
  status.textContent = text;
  status.className = isError ? "error" : "";
}

async function api(method, path, body, contentType) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = contentType || "application/json";
    options.body = contentType ? body : JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error((data && (data.error || data.message)) || `${response.status} ${response.statusText}`);
  return data;
}

function choices(select, names) {
  const value = select.value;
  select.replaceChildren(...names.map((name) => new Option(name, name)));
  if (names.includes(value)) select.value = value;
}

async function listPictures() {
  const { pictures, styles } = await api("GET", "api/pictures");
  choices($("#picture"), pictures);
  if ($("#style").options.length !== styles.length) choices($("#style"), styles);
}

let canvasAt = 0;
let lastActivity = "";
function render(view) {
  const s = view.status;
  $("#activity").textContent = `${s.activity}${s.job ? " · " + s.job.split("/").pop() : ""}${s.message ? " · " + s.message : ""}`;
  $("#progress").max = Math.max(1, s.strokes);
  $("#progress").value = s.stroke;
  const [spacing, [left, top, width, height]] = [view.motor_spacing_mm, view.paper_mm];
  const rig = $("#rig");
  rig.setAttribute("viewBox", `-20 -20 ${spacing + 40} ${top + height + 60}`);
  const pen = view.pen_mm;
  rig.innerHTML =
    `<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="${view.simulated ? "none" : "#fff"}" stroke="#9993"/>` +
    (pen
      ? `<line x1="0" y1="0" x2="${pen[0]}" y2="${pen[1]}" stroke="#555" stroke-width="1"/>` +
        `<line x1="${spacing}" y1="0" x2="${pen[0]}" y2="${pen[1]}" stroke="#555" stroke-width="1"/>` +
        `<circle cx="${pen[0]}" cy="${pen[1]}" r="6" fill="${s.pen_down ? "#c22" : "#fff"}" stroke="#333" stroke-width="2"/>`
      : "") +
    `<circle cx="0" cy="0" r="8" fill="#333"/><circle cx="${spacing}" cy="0" r="8" fill="#333"/>`;
  const canvas = $("#canvas");
  canvas.hidden = !view.simulated;
  if (view.simulated) {
    const scale = rig.clientWidth / (spacing + 40);
    canvas.style.left = `${(left + 20) * scale}px`;
    canvas.style.top = `${(top + 20) * scale}px`;
    canvas.style.width = `${width * scale}px`;
    const now = Date.now();
    const drawing = s.activity === "plotting";
    if (drawing ? now - canvasAt > 1000 : canvasAt === 0 || s.activity !== lastActivity) {
      canvasAt = now;
      canvas.src = `api/canvas.png?at=${now}`;
    }
  }
  lastActivity = s.activity;
  $("#numbers").textContent = view.cords_mm
    ? `cords ${view.cords_mm.map((c) => c.toFixed(1)).join(" / ")} mm · steps ${s.steps.join(" / ")} · pen ${s.pen_down ? "down" : "up"}`
    : "position unknown: put the pen on its home spot and press “Pen is at home”";
  $("#pause").disabled = s.activity !== "plotting";
  $("#resume").disabled = s.activity !== "paused";
  $("#plot").disabled = s.activity === "plotting" || s.activity === "paused";
}

async function command(path, done) {
  try {
    const reply = await api("POST", path);
    say(done || reply.message);
  } catch (error) {
    say(error.message, true);
  }
}

const request = () => ({ sample: $("#picture").value, style: $("#style").value, seed: Number($("#seed").value) || 0 });
const clock = (seconds) => {
  const s = Math.round(seconds);
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
};

$("#plot-form").addEventListener("submit", (event) => {
  event.preventDefault();
  (async () => {
    try {
      await api("POST", "api/plot", request());
      say("Plotting.");
    } catch (error) {
      say(error.message, true);
    }
  })();
});
$("#preview").addEventListener("click", async () => {
  say("Planning…");
  try {
    const summary = await api("POST", "api/preview", request());
    $("#preview-summary").textContent =
      `${summary.strokes} strokes, ${(summary.pen_down_mm / 1000).toFixed(1)} m of ink, ${clock(summary.plot_time_s)} to plot`;
    $("#preview-image").src = `api/preview/plan.png?at=${Date.now()}`;
    $("#preview-box").hidden = false;
    say("Previewed: Plot draws exactly this.");
  } catch (error) {
    say(error.message, true);
  }
});
$("#upload").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  try {
    const kept = await api("POST", `api/uploads?name=${encodeURIComponent(file.name)}`, file, file.type || "application/octet-stream");
    await listPictures();
    $("#picture").value = kept.sample;
    say(`${kept.sample} is ready to plot.`);
  } catch (error) {
    say(error.message, true);
  }
  event.target.value = "";
});
$("#pause").addEventListener("click", () => command("api/pause"));
$("#resume").addEventListener("click", () => command("api/resume"));
$("#home").addEventListener("click", () => command("api/home"));
$("#set-home").addEventListener("click", () => command("api/set-home"));

let events = null;
function follow() {
  if (events) events.close();
  events = new EventSource("api/live");
  events.addEventListener("state", (event) => render(JSON.parse(event.data)));
  events.onerror = () => say("Reconnecting to the plotter…", true);
  events.onopen = () => say(paired ? "Paired." : "Watching (not paired: read-only).");
}

async function start() {
  try {
    const session = await api("GET", "api/session");
    paired = session.paired;
    document.body.classList.toggle("read-only", !paired);
    $("#pairing").hidden = paired;
    if (!paired && !session.read_open) {
      $("#plotter").hidden = true;
      say("Pair this phone to see and drive the plotter.");
      return;
    }
    $("#plotter").hidden = false;
    render(await api("GET", "api/state"));
    await listPictures();
    follow();
  } catch (error) {
    say(error.message, true);
  }
}

$("#ask-code").addEventListener("click", async () => {
  try {
    const answer = await api("POST", "api/pair/code");
    say(`A code is in the plotter's log, valid for ${Math.round(answer.expires_in_s / 60)} minutes.`);
    $("#code").focus();
  } catch (error) {
    say(error.message, true);
  }
});

$("#pair-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  try {
    await api("POST", "api/pair", { code: form.code.value, name: form.name.value });
    form.code.value = "";
    await start();
  } catch (error) {
    say(error.message, true);
  }
});

start();
