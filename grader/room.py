"""`grade room`: the room at a glance, live, for the instructor.

    grade room serve [--host H] [--port P]   instructor: a small web server and its room code
    grade room join URL CODE [--name NAME]   attendee: from now on every run reports to the room
    grade room leave                         attendee: stop reporting
    grade room status                        attendee: where it reports, and whether it got there

The server is the standard library's `http.server` (ThreadingHTTPServer): three endpoints,
no templates, nothing to install, which keeps every dependency a pure-Python wheel; a web
framework would add dependencies for no feature used here. The page is one self-contained
HTML file whose script asks `/api/state` every two seconds and redraws (no reload, works
offline, large type for a projector).

What an attendee sends, after every `grade` or watch run: stage ids, statuses, the failing
tests' names and hint ids, and timings. Never their code, their output, or a test's message
(messages can quote code). A room that cannot be reached never slows grading: the post
happens in a background thread with a short timeout; a report that did not arrive is kept
and sent with the next one.

Security: the server generates a room code and refuses posts without it (403); bodies over
`MAX_BODY` bytes (413), bad JSON or bad shapes (400) are refused with a clear message, and the
server keeps running. It listens where the instructor says; by default on this machine's LAN
address, printed with the code. Names are what attendees choose (shown as text, never HTML).
The aggregation is `grader.summary`'s, shared with `grade summary --results DIR`.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from grader.catalogue import STAGES, find_stage
from grader.summary import Attendee, BadResult, build_summary, parse_result

PROTOCOL = 1  # the version of the posted report's shape
MAX_BODY = 64 * 1024  # bytes: a report of eight stages is about 3 KB
MAX_ATTENDEES = 500
POST_TIMEOUT = 1.5  # seconds: a room that does not answer costs at most this, in the background
NAME = re.compile(r"^[^\x00-\x1f\x7f]{1,40}$")


# --- what an attendee sends ------------------------------------------------------------------

def report_of(json_report: dict[str, Any], seconds: dict[str, float] | None = None) -> dict[str, Any]:
    """The room's copy of a `grade --json` report: ids, statuses, hints, timings; no messages."""
    stages = []
    for stage in json_report.get("stages", []):
        stages.append({
            "id": stage["id"],
            "status": stage["status"],
            "tests": [{"name": t["name"], "status": t["status"], "hint": t.get("hint")}
                      for t in stage.get("tests", [])],
            "seconds": (seconds or {}).get(stage["id"]),
        })
    return {"version": PROTOCOL, "target": json_report.get("target", "exercises"), "stages": stages}


# --- the server's state ----------------------------------------------------------------------

@dataclass
class Member:
    name: str
    report: dict[str, Any]
    attendee: Attendee
    joined: float
    last_seen: float
    stage_since: float  # when their current stage became their current stage
    failure_since: float  # when their current (stage, first failing hint) began
    posts: int = 1


@dataclass
class RoomState:
    """Every attendee's latest report, and since when they are where they are (thread-safe)."""

    code: str
    members: dict[str, Member] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    reads: int = 0  # snapshots served (the page's refreshes)

    def post(self, attendee_id: str, name: str, report: dict[str, Any], now: float) -> None:
        """Record one report; BadResult if it is not one (the summary's own validation)."""
        attendee = parse_result(name, report)
        with self.lock:
            old = self.members.get(attendee_id)
            if old is None:
                if len(self.members) >= MAX_ATTENDEES:
                    raise BadResult(f"the room is full ({MAX_ATTENDEES} attendees)")
                self.members[attendee_id] = Member(name, report, attendee, now, now, now, now)
                return
            if attendee.stage != old.attendee.stage:
                old.stage_since = now
            if (attendee.stage, attendee.first_hint) != (old.attendee.stage, old.attendee.first_hint):
                old.failure_since = now
            old.name, old.report, old.attendee = name, report, attendee
            old.last_seen, old.posts = now, old.posts + 1

    def snapshot(self, now: float) -> dict[str, Any]:
        """The page's data: the summary of everyone, plus times and the stage distribution."""
        with self.lock:
            members = list(self.members.values())
            self.reads += 1
        data = build_summary([m.attendee for m in members], [])
        by_name = {m.name: m for m in members}
        for person in data["attendees"]:
            member = by_name[person["name"]]
            stage = find_stage(person["stage"]) if person["stage"] else None
            person["minutes_on_stage"] = round((now - member.stage_since) / 60, 1)
            person["minutes_on_failure"] = (round((now - member.failure_since) / 60, 1)
                                            if person["status"] == "failed" else None)
            person["planned_minutes"] = stage.minutes if stage else None
            person["last_seen_seconds"] = round(now - member.last_seen)
        data["distribution"] = [
            {"id": s.id, "number": s.number, "title": s.title, "minutes": s.minutes,
             "attendees": sum(p["stage"] == s.id for p in data["attendees"])}
            for s in STAGES
        ]
        data["posts"] = sum(m.posts for m in members)
        return data


# --- the HTTP side ---------------------------------------------------------------------------

class RoomServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: RoomState) -> None:
        super().__init__(address, RoomHandler)
        self.state = state


class RoomHandler(BaseHTTPRequestHandler):
    server: RoomServer
    server_version = "grade-room"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the page is the log
        return

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if kind == "text/html":
            self.send_header("Content-Security-Policy", PAGE_CSP)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data).encode("utf-8"))

    def _refuse(self, status: HTTPStatus, why: str) -> None:
        self._json(status, {"error": why})

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, PAGE.encode("utf-8"), "text/html")
        elif path == "/api/state":
            self._json(HTTPStatus.OK, self.server.state.snapshot(time.time()))
        else:
            self._refuse(HTTPStatus.NOT_FOUND, "no such page")

    def do_POST(self) -> None:
        if urllib.parse.urlsplit(self.path).path != "/api/report":
            self._refuse(HTTPStatus.NOT_FOUND, "post reports to /api/report")
            return
        try:
            length = int(self.headers.get("Content-Length") or "")
        except ValueError:
            self._refuse(HTTPStatus.LENGTH_REQUIRED, "say how long the body is (Content-Length)")
            return
        if length > MAX_BODY or length < 0:
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"a report is at most {MAX_BODY} bytes")
            self.close_connection = True
            return
        try:
            body = json.loads(self.rfile.read(length).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            self._refuse(HTTPStatus.BAD_REQUEST, "the body is not JSON")
            return
        if not isinstance(body, dict) or not secrets.compare_digest(str(body.get("code", "")),
                                                                    self.server.state.code):
            self._refuse(HTTPStatus.FORBIDDEN, "wrong room code")
            return
        name, attendee_id, report = body.get("name"), body.get("attendee"), body.get("report")
        if not isinstance(name, str) or not NAME.match(name):
            self._refuse(HTTPStatus.BAD_REQUEST, "a name is 1 to 40 printable characters")
            return
        if not isinstance(attendee_id, str) or not 8 <= len(attendee_id) <= 64:
            self._refuse(HTTPStatus.BAD_REQUEST, "an attendee id is 8 to 64 characters")
            return
        if not isinstance(report, dict) or report.get("version") != PROTOCOL:
            self._refuse(HTTPStatus.BAD_REQUEST, f"a report has version {PROTOCOL}: update grade")
            return
        try:
            self.server.state.post(attendee_id, name, report, time.time())
        except BadResult as error:
            self._refuse(HTTPStatus.BAD_REQUEST, str(error))
            return
        self._json(HTTPStatus.OK, {"ok": True})


def lan_address() -> str:
    """This machine's address on the local network, as its name resolves (else loopback)."""
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"
    return address


def start_server(host: str, port: int, code: str | None = None) -> RoomServer:
    """A running room server (in a background thread); `port` 0 lets the OS choose."""
    server = RoomServer((host, port), RoomState(code or new_code()))
    threading.Thread(target=server.serve_forever, name="grade-room", daemon=True).start()
    return server


def new_code() -> str:
    """A room code people can read aloud: six letters and digits, no look-alikes."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(6))


# --- the attendee's side ---------------------------------------------------------------------

def membership_file(progress_path: Path) -> Path:
    """Beside the progress file: which room this checkout reports to (not a verdict, so not in it)."""
    return progress_path.with_name("room.json")


def load_membership(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and {"url", "code", "name", "attendee"} <= data.keys() else None


def save_membership(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_text(json.dumps(data, indent=2), encoding="utf-8")
    temporary.replace(path)


def send(membership: dict[str, Any], report: dict[str, Any], timeout: float = POST_TIMEOUT) -> str | None:
    """Post one report; None if it arrived, else why not (one line)."""
    body = json.dumps({"code": membership["code"], "name": membership["name"],
                       "attendee": membership["attendee"], "report": report}).encode("utf-8")
    request = urllib.request.Request(membership["url"].rstrip("/") + "/api/report", data=body,
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
        return None
    except urllib.error.HTTPError as error:
        try:
            why = json.loads(error.read().decode("utf-8")).get("error", "")
        except (ValueError, OSError):
            why = ""
        return f"the room answered {error.code}{': ' + why if why else ''}"
    except (OSError, ValueError) as error:
        return f"the room could not be reached ({getattr(error, 'reason', error)})"


def report_in_background(progress_path: Path, json_report: dict[str, Any]) -> threading.Thread | None:
    """After a run: send its report to the joined room, if any, without holding anything up.

    The report is first saved as `pending`; a sent report clears it, so one that could not
    be sent goes with the next run (only the latest matters: it replaces older ones).
    """
    path = membership_file(progress_path)
    membership = load_membership(path)
    if membership is None or json_report.get("target") != "exercises":
        return None
    membership["pending"] = report_of(json_report)
    try:
        save_membership(path, membership)
    except OSError:
        pass

    def post() -> None:
        why = send(membership, membership["pending"])
        membership["last"] = {"at": time.time(), "ok": why is None, "why": why}
        if why is None:
            membership.pop("pending", None)
        try:
            save_membership(path, membership)
        except OSError:
            pass

    thread = threading.Thread(target=post, name="grade-room-report", daemon=True)
    thread.start()
    return thread


# --- the command -----------------------------------------------------------------------------

def room(console: Console, words: list[str], progress_path: Path, args: argparse.Namespace) -> int:
    """`grade room serve|join|leave|status`."""
    action = words[0] if words else ""
    if action == "serve":
        return _serve(console, args)
    path = membership_file(progress_path)
    if action == "join":
        if len(words) != 3:
            console.print(Text("grade room join URL CODE [--name NAME]: the address and the code "
                               "the instructor's screen shows", style="bold red"))
            return 2
        url, code = words[1], words[2].strip().upper()
        if not re.match(r"^https?://", url):
            url = "http://" + url
        old = load_membership(path) or {}
        name = getattr(args, "name", None) or old.get("name") or socket.gethostname()[:40]
        membership = {"url": url, "code": code, "name": name[:40],
                      "attendee": old.get("attendee") or uuid.uuid4().hex}
        why = send(membership, {"version": PROTOCOL, "target": "exercises",
                                "stages": [{"id": s.id, "status": "not_run", "tests": []} for s in STAGES]})
        if why is not None:
            console.print(Text(f"Could not join {url}: {why}. Check the address and the code.",
                               style="bold red"))
            return 1
        save_membership(path, membership)
        console.print(Text.assemble(("Joined ", "green"), (url, "bold"), f" as {name}. Every `grade` "
                                    "and `grade watch` run now reports its verdicts there (stage, "
                                    "status, hints; never your code). `grade room leave` stops it."))
        return 0
    if action == "leave":
        path.unlink(missing_ok=True)
        console.print("Left the room: runs are no longer reported.")
        return 0
    if action == "status":
        current = load_membership(path)
        if current is None:
            console.print("Not in a room. Join one with `grade room join URL CODE`.")
            return 0
        last = current.get("last") or {}
        state = ("the last report arrived" if last.get("ok") else
                 f"the last report did not arrive: {last.get('why')}" if last else "nothing sent yet")
        console.print(f"Reporting to {current['url']} as {current['name']}: {state}.")
        return 0
    console.print(Text("grade room serve | join URL CODE [--name NAME] | leave | status",
                       style="bold red"))
    return 2


def _serve(console: Console, args: argparse.Namespace) -> int:
    host = getattr(args, "host", None) or lan_address()
    port = int(getattr(args, "port", None) or 8765)
    try:
        server = start_server(host, port)
    except OSError as error:
        console.print(Text(f"Could not listen on {host}:{port}: {error.strerror or error}. "
                           "Try another --port, or --host 127.0.0.1.", style="bold red"))
        return 2
    bound_host, bound_port = str(server.server_address[0]), server.server_address[1]
    where = f"http://{bound_host}:{bound_port}"
    console.print(Text.assemble(("The room is open. ", "bold green"), "Show this to the room:\n\n",
                                (f"    grade room join {where} {server.state.code}\n", "bold"),
                                f"\nThe live view: {where}/  (Ctrl-C closes the room)"))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()
        console.print("The room is closed.")
        return 0


PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'"

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The room: Rediscovering the Future</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { margin: 0; padding: 1.2rem 2rem; background: #111; color: #f4f4f2;
  font: 22px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .6rem; color: #ff9b5e; }
h2 { font-size: 1.2rem; margin: 1.2rem 0 .4rem; color: #ffcf9e; }
.bars { display: grid; grid-template-columns: repeat(9, 1fr); gap: .5rem; align-items: end; height: 9rem;
  margin-top: 2.2rem; }
.bar { background: #ff7a30; border-radius: 6px 6px 0 0; min-height: 3px; position: relative; }
.bar span { position: absolute; top: -1.6rem; width: 100%; text-align: center; font-weight: 700; }
.labels { display: grid; grid-template-columns: repeat(9, 1fr); gap: .5rem; font-size: .8rem; color: #bbb; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; padding: .25rem .6rem; border-bottom: 1px solid #333; }
th { color: #aaa; font-weight: 600; }
.late { color: #ff6b6b; font-weight: 700; } .ok { color: #7ee787; } .dim { color: #888; }
.cols { display: grid; grid-template-columns: 1.2fr 1fr; gap: 2rem; }
</style></head><body>
<h1>The room <span class="dim" id="meta"></span></h1>
<div class="bars" id="bars"></div><div class="labels" id="labels"></div>
<div class="cols"><div><h2>Who is where</h2><table id="people"><thead><tr><th>Name</th><th>Stage</th>
<th>On it</th><th>Same failure</th><th>Stuck on</th></tr></thead><tbody></tbody></table></div>
<div><h2>Most frequent failing hints</h2><table id="hints"><thead><tr><th>Stage</th><th>#</th><th>Hint</th>
<th>Revisit</th></tr></thead><tbody></tbody></table></div></div>
<script>
(function () {
  var updates = 0;
  function cell(row, text, cls) { var td = document.createElement("td"); td.textContent = text;
    if (cls) { td.className = cls; } row.appendChild(td); return td; }
  function draw(data) {
    var bars = document.getElementById("bars"), labels = document.getElementById("labels");
    bars.textContent = ""; labels.textContent = "";
    var most = 1; data.distribution.forEach(function (s) { most = Math.max(most, s.attendees); });
    var done = data.done;
    data.distribution.concat([{number: "\\u2713", title: "done", attendees: done}]).forEach(function (s) {
      var bar = document.createElement("div"); bar.className = "bar";
      bar.style.height = (100 * s.attendees / Math.max(most, done, 1)) + "%";
      var n = document.createElement("span"); n.textContent = s.attendees; bar.appendChild(n);
      bars.appendChild(bar);
      var label = document.createElement("div");
      label.textContent = (typeof s.number === "number" ? ("0" + s.number).slice(-2) + " " : "") + s.title;
      labels.appendChild(label);
    });
    var people = document.querySelector("#people tbody"); people.textContent = "";
    data.attendees.forEach(function (p) {
      var row = document.createElement("tr"); row.setAttribute("data-name", p.name);
      cell(row, p.name);
      cell(row, p.status === "done" ? "done" : (p.stage || ""), p.status === "done" ? "ok" : "");
      var late = p.planned_minutes && p.minutes_on_stage > p.planned_minutes;
      cell(row, p.status === "done" ? "" : Math.round(p.minutes_on_stage) + "\u2009/\u2009" +
           (p.planned_minutes || "?") + "\u00a0min", late ? "late" : "");
      cell(row, p.minutes_on_failure === null ? "" : Math.round(p.minutes_on_failure) + "\u00a0min",
           p.minutes_on_failure !== null && p.minutes_on_failure >= 20 ? "late" : "");
      cell(row, p.first_hint || "", "dim");
      people.appendChild(row);
    });
    var hints = document.querySelector("#hints tbody"); hints.textContent = "";
    data.stages.forEach(function (s) {
      s.hints.slice(0, 3).forEach(function (h) {
        var row = document.createElement("tr");
        cell(row, s.id); cell(row, String(h.count)); cell(row, h.title);
        cell(row, h.slide ? "\\u201c" + h.slide + "\\u201d" : "", "dim");
        hints.appendChild(row);
      });
    });
    updates += 1;
    document.getElementById("meta").textContent = "\\u00b7 " + data.attendees.length + " attendees \\u00b7 " +
      new Date().toLocaleTimeString();
    document.documentElement.setAttribute("data-updates", String(updates));
    document.documentElement.setAttribute("data-attendees", data.attendees.map(function (p) {
      return p.name; }).join(","));
  }
  function refresh() {
    fetch("/api/state", {cache: "no-store"}).then(function (r) { return r.json(); }).then(draw)
      .catch(function () { document.getElementById("meta").textContent = "\\u00b7 (server not answering)"; })
      .finally(function () { setTimeout(refresh, REFRESH_MS); });
  }
  var REFRESH_MS = /[?&]fast\\b/.test(location.search) ? 200 : 2000;
  refresh();
})();
</script></body></html>
"""
