// The comic robot's page: plain JavaScript, no build step, nothing from the network but the robot.
"use strict";

const $ = (selector, root = document) => root.querySelector(selector);
let paired = false;

// What each LED pattern looks like and means (hardware/comic.md has the same table).
const PATTERNS = {
  ready: { text: "Ready: press for a comic.", lights: { ready: "on" } },
  composing: { text: "Making the next comic (a press now waits for it).", lights: { ready: "on", busy: 2 } },
  printing: { text: "Printing.", lights: { busy: "on" } },
  queue_full: { text: "The queue is full: a press now is refused.", lights: { busy: "on", error: 4 } },
  paper_out: { text: "Out of paper: put a new roll in; every comic is kept.", lights: { error: 1 } },
  printer_fault: { text: "The printer needs a hand; every comic is kept.", lights: { error: "on" } },
  shutting_down: { text: "Shutting down after this comic.", lights: { ready: 2, busy: 2, error: 2 } },
};

function say(text, isError) {
  const status = $("#status");
  status.textContent = text;
  status.className = isError ? "error" : "";
}

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error((data && data.error) || `${response.status} ${response.statusText}`);
  return data;
}

let lights = {};
function showLights() {
  const now = Date.now();
  for (const led of ["ready", "busy", "error"]) {
    const how = lights[led];
    // A number is blinks a second; "on" is steady.
    const on = how === "on" || (typeof how === "number" && Math.floor(now / (500 / how)) % 2 === 0);
    $(`#led-${led}`).classList.toggle("on", on);
  }
}
setInterval(showLights, 125);

let newest = null;
function render(view) {
  const pattern = view.pattern || { state: "ready" };
  const shown = PATTERNS[pattern.state] || { text: pattern.state, lights: {} };
  lights = { ...shown.lights };
  // Green stays on while another press would be taken.
  if (pattern.room) lights.ready = "on";
  showLights();
  $("#pattern").textContent = shown.text;
  $("#fault").hidden = !view.fault;
  $("#fault").textContent = view.fault || "";
  $("#queue").textContent = view.queue.length
    ? view.queue.map((n) => (n === view.printing ? `No. ${n} (printing)` : `No. ${n}`)).join(" · ")
    : "Nothing waiting.";
  const log = $("#log");
  log.replaceChildren(...view.log.slice().reverse().map((line) => {
    const item = document.createElement("li");
    item.textContent = line;
    return item;
  }));
  if (view.newest !== newest) {
    newest = view.newest;
    listArchive();
  }
}

async function listArchive() {
  try {
    const comics = await api("GET", "api/archive");
    $("#archive").replaceChildren(...comics.map((comic) => {
      const item = document.createElement("li");
      const picture = document.createElement("img");
      picture.src = comic.picture;
      picture.alt = `Comic ${comic.number}`;
      picture.loading = "lazy";
      const footer = document.createElement("small");
      footer.textContent = comic.footer;
      item.append(picture, footer);
      if (paired) {
        const again = document.createElement("button");
        again.type = "button";
        again.textContent = "Print again";
        again.addEventListener("click", () => ask(`api/archive/${comic.number}/reprint`, `Comic ${comic.number} goes in the queue.`));
        item.append(again);
      }
      return item;
    }));
  } catch (error) {
    say(error.message, true);
  }
}

async function ask(path, done) {
  try {
    await api("POST", path);
    say(done);
  } catch (error) {
    say(error.message, true);
  }
}

async function showPrinter() {
  try {
    const printer = await api("GET", "api/printer");
    const select = $("#printer");
    select.replaceChildren(...printer.profiles.map((p) =>
      new Option(`${p.name} (${Math.round(p.width_mm)} mm, ${p.link})`, p.name)));
    select.value = printer.profile;
  } catch (error) {
    say(error.message, true);
  }
}

$("#printer-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const answer = await api("PUT", "api/printer", { profile: $("#printer").value });
    say(`Switching to ${answer.profile}: the robot starts again after the comic it is printing.`);
  } catch (error) {
    say(error.message, true);
  }
});

let events = null;
function follow() {
  if (events) events.close();
  events = new EventSource("api/live");
  events.addEventListener("state", (event) => render(JSON.parse(event.data)));
  events.onerror = () => say("Reconnecting to the robot…", true);
  events.onopen = () => say(paired ? "Paired: press, or print a comic again." : "Watching (not paired: read-only).");
}

async function start() {
  try {
    const session = await api("GET", "api/session");
    paired = session.paired;
    document.body.classList.toggle("read-only", !paired);
    $("#pairing").hidden = paired;
    if (!paired && !session.read_open) {
      $("#robot").hidden = true;
      say("Pair this phone to see the robot and press its button.");
      return;
    }
    $("#robot").hidden = false;
    render(await api("GET", "api/state"));
    follow();
    if (paired) await showPrinter();
  } catch (error) {
    say(error.message, true);
  }
}

$("#press").addEventListener("click", () => ask("api/press", "Pressed: a comic is on its way."));
document.addEventListener("keydown", (event) => {
  if (event.code === "Space" && paired && !event.repeat && !["INPUT", "BUTTON"].includes(document.activeElement.tagName)) {
    event.preventDefault();
    ask("api/press", "Pressed: a comic is on its way.");
  }
});

$("#ask-code").addEventListener("click", async () => {
  try {
    const answer = await api("POST", "api/pair/code");
    say(`The robot prints a code, valid for ${Math.round(answer.expires_in_s / 60)} minutes.`);
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
