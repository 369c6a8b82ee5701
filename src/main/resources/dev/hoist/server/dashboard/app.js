// Hoist's dashboard: plain JavaScript over the server's JSON API, no build step, nothing from
// another origin. Every string from the API reaches the page as a text node or an attribute set
// with setAttribute (never innerHTML), so a commit message cannot become markup.
//
// The token lives in sessionStorage (this tab only) and travels only in the Authorization header;
// fetch runs with credentials "omit", so no cookie is ever sent and another site cannot make the
// browser act with it (CSRF needs a credential the browser adds by itself).
"use strict";

(() => {
  const TOKEN_KEY = "hoist.token";
  const READ_ONLY_KEY = "hoist.readOnly";
  const REFRESH_MS = 4000;
  const STATUSES = ["queued", "running", "succeeded", "failed", "superseded", "interrupted"];

  const $ = (id) => document.getElementById(id);
  let page = new AbortController(); // aborted when the view changes: stops streams and refreshes

  // ---- building the page from data, always as text ------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    node.append(...toNodes(children));
    return node;
  }

  // Replaces what node holds with children.
  function fill(node, ...children) {
    node.replaceChildren(...toNodes(children));
    return node;
  }

  // Nested arrays flattened, strings made text nodes (never markup), null and false left out.
  function toNodes(children) {
    return children
      .flat(Infinity)
      .filter((c) => c !== null && c !== undefined && c !== false)
      .map((c) => (c instanceof Node ? c : document.createTextNode(String(c))));
  }

  const projectLink = (name) => "#/projects/" + encodeURIComponent(name);
  const deployLink = (id) => "#/deploys/" + encodeURIComponent(String(id));

  function badge(status) {
    const known = STATUSES.includes(status) ? status : "unknown";
    return el("span", { class: "badge status-" + known }, status || "unknown");
  }

  // What a deploy put in place: a commit, the branch head (asked without one), or, for a
  // rollback, the release served before.
  function shortCommit(deploy) {
    const commit = deploy.commit;
    if (!commit) return el("span", { class: "muted" }, deploy.kind === "rollback" ? "previous release" : "branch head");
    return el("code", { title: commit }, commit.slice(0, 10));
  }

  function when(iso) {
    if (!iso) return el("span", { class: "muted" }, "–");
    const date = new Date(iso);
    const text = isNaN(date) ? iso : date.toLocaleString();
    return el("time", { datetime: iso, title: iso }, text);
  }

  function duration(ms) {
    if (ms === null || ms === undefined) return "–";
    if (ms < 60000) return (ms / 1000).toFixed(1) + " s";
    const minutes = Math.floor(ms / 60000);
    const seconds = Math.round((ms % 60000) / 1000);
    return minutes + " min " + String(seconds).padStart(2, "0") + " s";
  }

  function nodeList(nodes, withOutcome) {
    if (!nodes || nodes.length === 0) return el("span", { class: "muted" }, "no nodes yet");
    return el(
      "ul",
      { class: "nodes" },
      nodes.map((n) =>
        el(
          "li",
          {},
          el("span", { class: "node" }, n.node),
          withOutcome && n.outcome
            ? el("span", { class: "outcome outcome-" + n.outcome.replace(/[^a-z]/g, "") }, n.outcome)
            : null,
          el("code", { class: "release" }, n.release || "no release"),
        ),
      ),
    );
  }

  function table(caption, headers, rows) {
    return el(
      "table",
      {},
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows),
    );
  }

  function setCrumbs(...items) {
    const crumbs = [["Projects", "#/"], ...items];
    fill($("crumbs"),
      ...crumbs.map(([label, href], i) =>
        el(
          "li",
          {},
          i === crumbs.length - 1
            ? el("span", { "aria-current": "page" }, label)
            : el("a", { href }, label),
        ),
      ),
    );
  }

  // ---- talking to the API ------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error) || "the server answered " + status);
      this.status = status;
      this.fix = body && body.fix;
    }
  }

  async function api(path, options = {}) {
    const response = await fetch(path, {
      method: options.method || "GET",
      headers: {
        Accept: "application/json",
        Authorization: "Bearer " + sessionStorage.getItem(TOKEN_KEY),
        ...(options.body ? { "Content-Type": "application/json" } : {}),
      },
      body: options.body,
      credentials: "omit",
      cache: "no-store",
      signal: options.signal,
    });
    if (!response.ok) {
      let body = null;
      try {
        body = await response.json();
      } catch {
        // not JSON: the status says enough
      }
      throw new ApiError(response.status, body);
    }
    return response.json();
  }

  function showProblem(error) {
    if (error.name === "AbortError") return;
    if (error.status === 401) {
      signOut("The server did not accept this token (" + error.message + "). Enter another one.");
      return;
    }
    const box = $("problem");
    fill(box,
      el("strong", {}, error.message),
      error.fix ? el("span", { class: "fix" }, " " + error.fix) : null,
    );
    box.hidden = false;
  }

  function clearProblem() {
    $("problem").hidden = true;
    $("problem").replaceChildren();
  }

  // ---- the token ---------------------------------------------------------------------------

  function signOut(reason) {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(READ_ONLY_KEY);
    page.abort();
    $("session").hidden = true;
    $("view").hidden = true;
    $("view").replaceChildren();
    $("crumbs").replaceChildren();
    $("login").hidden = false;
    clearProblem();
    if (reason) showProblem(new Error(reason));
    $("token").value = "";
    $("token").focus();
  }

  function readOnly() {
    return sessionStorage.getItem(READ_ONLY_KEY) === "1";
  }

  function showSession() {
    $("session").hidden = false;
    $("scope-note").textContent = readOnly() ? "Read-only token" : "Signed in with a token";
  }

  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = $("token").value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    $("token").value = "";
    route();
  });

  $("forget").addEventListener("click", () => signOut(null));

  // ---- views -------------------------------------------------------------------------------

  // Renders fresh data every few seconds, only when it changed, keeping keyboard focus in place.
  async function refreshing(load, render, signal) {
    let last = null;
    let first = true;
    while (!signal.aborted) {
      try {
        const data = await load(signal);
        const json = JSON.stringify(data);
        if (json !== last) {
          last = json;
          const focusKey = document.activeElement && document.activeElement.dataset.key;
          render(data);
          if (focusKey) {
            const again = $("view").querySelector('[data-key="' + CSS.escape(focusKey) + '"]');
            if (again) again.focus();
          }
        }
        if (first) {
          first = false;
          const heading = $("view").querySelector("h1");
          if (heading) heading.focus();
        }
        clearProblem();
      } catch (error) {
        showProblem(error);
        if (error.status === 401 || error.status === 404) return;
      }
      await sleep(REFRESH_MS, signal);
    }
  }

  function sleep(ms, signal) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  function heading(...text) {
    return el("h1", { tabindex: "-1" }, ...text);
  }

  function projectsView(signal) {
    setCrumbs();
    refreshing(
      (s) => api("api/projects", { signal: s }),
      (data) => {
        const rows = data.projects.map((p) => {
          const last = p.last_deploy;
          return el(
            "tr",
            {},
            el("th", { scope: "row" }, el("a", { href: projectLink(p.name), "data-key": "p:" + p.name }, p.name)),
            el("td", {}, el("code", {}, p.branch), " → ", p.env || "this machine"),
            el(
              "td",
              {},
              last
                ? [badge(last.status), " ", el("a", { href: deployLink(last.id), "data-key": "d:" + last.id }, "#" + last.id), " ", when(last.finished_at || last.started_at || last.queued_at)]
                : el("span", { class: "muted" }, "never deployed"),
            ),
            el("td", {}, last ? [shortCommit(last), " ", el("span", { class: "message" }, last.message || "")] : "–"),
            el("td", {}, nodeList(p.nodes, false)),
          );
        });
        fill($("view"),
          heading("Projects"),
          data.projects.length === 0
            ? el("p", {}, "server.yml names no projects yet.")
            : table("Every project the server deploys, with what each node serves", ["Project", "Branch → environment", "Last deploy", "Commit", "Release per node"], rows),
        );
      },
      signal,
    );
  }

  function projectView(name, signal) {
    setCrumbs([name, projectLink(name)]);
    const q = encodeURIComponent(name);
    refreshing(
      async (s) => {
        const [projects, deploys] = await Promise.all([
          api("api/projects", { signal: s }),
          api("api/deploys?project=" + q + "&limit=50", { signal: s }),
        ]);
        const project = projects.projects.find((p) => p.name === name);
        if (!project) throw new ApiError(404, { error: "no project named " + name, fix: "Pick one from the list of projects." });
        return { project, deploys: deploys.deploys };
      },
      ({ project, deploys }) => {
        const rows = deploys.map((d) =>
          el(
            "tr",
            {},
            el("th", { scope: "row" }, el("a", { href: deployLink(d.id), "data-key": "d:" + d.id }, "#" + d.id)),
            el("td", {}, d.kind === "rollback" ? "rollback" : "deploy"),
            el("td", {}, badge(d.status)),
            el("td", {}, shortCommit(d), " ", el("span", { class: "message" }, d.message || "")),
            el("td", {}, d.author || el("span", { class: "muted" }, "–")),
            el("td", {}, when(d.queued_at)),
            el("td", { class: "num" }, duration(d.duration_ms)),
            el("td", {}, nodeList(d.nodes, true)),
          ),
        );
        fill($("view"),
          heading(project.name),
          el(
            "dl",
            { class: "facts" },
            el("dt", {}, "Repository"), el("dd", {}, el("code", {}, project.repo)),
            el("dt", {}, "Branch"), el("dd", {}, el("code", {}, project.branch)),
            el("dt", {}, "Environment"), el("dd", {}, project.env || "this machine"),
            el("dt", {}, "Serving"), el("dd", {}, nodeList(project.nodes, false)),
          ),
          rollbackPanel(project),
          deploys.length === 0
            ? el("p", {}, "No deploys yet: push to " + project.branch + " to make one.")
            : table("Deploys of " + project.name + ", newest first", ["Deploy", "Kind", "Result", "Commit", "Author", "Queued", "Took", "Per node"], rows),
        );
      },
      signal,
    );
  }

  function rollbackPanel(project) {
    const why = readOnly()
      ? "This token is read-only: rolling back needs a token with the deploy scope."
      : "Switches every node of " + (project.env || "this machine") + " back to the release it served before.";
    return el(
      "div",
      { class: "card actions-row" },
      el(
        "button",
        {
          type: "button",
          class: "danger",
          id: "rollback",
          "data-key": "rollback",
          disabled: readOnly(),
          "aria-describedby": "rollback-why",
          onclick: () => confirmRollback(project),
        },
        "Roll back " + project.name,
      ),
      el("p", { id: "rollback-why", class: "help" }, why),
    );
  }

  function confirmRollback(project) {
    const dialog = $("confirm");
    $("confirm-title").textContent = "Roll back " + project.name + "?";
    fill($("confirm-text"),
      "Every node of " + (project.env || "this machine") + " switches back to its previous release. Now serving: ",
      (project.nodes || []).map((n, i) => [i ? ", " : "", n.node + " " + (n.release || "nothing")]),
      ".",
    );
    dialog.returnValue = "";
    dialog.addEventListener("close", () => {
      if (dialog.returnValue === "ok") rollback(project.name);
      else $("rollback").focus();
    }, { once: true });
    dialog.showModal();
  }

  async function rollback(name) {
    const button = $("rollback");
    button.disabled = true;
    try {
      const answer = await api("api/projects/" + encodeURIComponent(name) + "/rollback", { method: "POST", body: "{}" });
      location.hash = deployLink(answer.id);
    } catch (error) {
      if (error.status === 403) {
        sessionStorage.setItem(READ_ONLY_KEY, "1");
        showSession();
        $("rollback-why").textContent =
          "This token is read-only: rolling back needs a token with the deploy scope. The server said (403): " +
          error.message + (error.fix ? " (" + error.fix + ")" : "");
        return; // stays disabled
      }
      button.disabled = false;
      showProblem(error);
    }
  }

  function deployView(id, signal) {
    setCrumbs(["Deploy #" + id, deployLink(id)]);
    const summary = el("div", { id: "summary" });
    const log = el("pre", { id: "log", class: "log", role: "log", "aria-live": "polite", tabindex: "0", "aria-labelledby": "log-title" });
    const state = el("p", { id: "log-state", class: "help", role: "status" }, "Loading the log…");
    fill($("view"),
      heading("Deploy #" + id),
      summary,
      el("h2", { id: "log-title" }, "Log"),
      state,
      log,
    );
    $("view").querySelector("h1").focus();
    const progress = { ended: false };
    followLog(id, log, state, progress, signal);
    watchDeploy(id, progress, signal);
  }

  // The summary (start time, nodes done so far) while the deploy runs; the log's end event has
  // the final one.
  async function watchDeploy(id, progress, signal) {
    while (!signal.aborted && !progress.ended) {
      try {
        const deploy = await api("api/deploys/" + encodeURIComponent(id), { signal });
        if (progress.ended) return;
        renderDeploy(deploy);
        if (!["queued", "running"].includes(deploy.status)) return;
      } catch (error) {
        showProblem(error);
        return;
      }
      await sleep(REFRESH_MS, signal);
    }
  }

  function renderDeploy(d) {
    setCrumbs([d.project, projectLink(d.project)], [(d.kind === "rollback" ? "Rollback #" : "Deploy #") + d.id, deployLink(d.id)]);
    fill($("view").querySelector("h1"),
      (d.kind === "rollback" ? "Rollback #" : "Deploy #") + d.id + " of ",
      el("a", { href: projectLink(d.project) }, d.project),
      " ",
      badge(d.status),
    );
    const phases = d.phases || {};
    const facts = [
      ["Commit", d.commit ? el("code", {}, d.commit) : shortCommit(d)],
      ["Message", d.message || "–"],
      ["Author", d.author || "–"],
      ["Trigger", d.trigger || "–"],
      ["Queued", when(d.queued_at)],
      ["Started", when(d.started_at)],
      ["Finished", when(d.finished_at)],
      ["Took", duration(d.duration_ms) + (phases.fetch_ms != null || phases.build_ms != null || phases.deploy_ms != null
        ? " (fetch " + duration(phases.fetch_ms) + ", build " + duration(phases.build_ms) + ", deploy " + duration(phases.deploy_ms) + ")"
        : "")],
    ];
    if (d.superseded_by) facts.push(["Superseded by", el("a", { href: deployLink(d.superseded_by) }, "#" + d.superseded_by)]);
    if (d.error) facts.push(["Error", el("span", { class: "error" }, d.error)]);
    const rows = (d.nodes || []).map((n) =>
      el(
        "tr",
        {},
        el("th", { scope: "row" }, n.node),
        el("td", {}, el("span", { class: "outcome outcome-" + String(n.outcome).replace(/[^a-z]/g, "") }, n.outcome)),
        el("td", {}, el("code", {}, n.release || "–")),
      ),
    );
    fill($("summary"),
      el("dl", { class: "facts" }, facts.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
      rows.length ? table("Outcome per node", ["Node", "Outcome", "Release"], rows) : null,
    );
  }

  // The log as server-sent events, read with fetch so the token goes in a header (EventSource
  // cannot send one). Resumes after a dropped connection with Last-Event-ID.
  async function followLog(id, log, state, progress, signal) {
    let lastSeq = null;
    for (let attempt = 0; attempt < 30 && !signal.aborted; attempt++) {
      let ended = false;
      try {
        const headers = { Accept: "text/event-stream", Authorization: "Bearer " + sessionStorage.getItem(TOKEN_KEY) };
        if (lastSeq !== null) headers["Last-Event-ID"] = String(lastSeq);
        const response = await fetch("api/deploys/" + encodeURIComponent(id) + "/log", { headers, credentials: "omit", cache: "no-store", signal });
        if (!response.ok) {
          let body = null;
          try {
            body = await response.json();
          } catch {
            // not JSON
          }
          throw new ApiError(response.status, body);
        }
        state.textContent = "Following the live log…";
        const feed = sseParser((event) => {
          if (event.type === "line") {
            const line = JSON.parse(event.data);
            if (lastSeq !== null && line.seq <= lastSeq) return; // already shown before a reconnect
            lastSeq = line.seq;
            appendLine(log, line);
          } else if (event.type === "end") {
            ended = true;
            progress.ended = true;
            const deploy = JSON.parse(event.data);
            renderDeploy(deploy);
            state.textContent = "The " + (deploy.kind === "rollback" ? "rollback " : "deploy ") + deploy.status + "; this is its whole log.";
          }
        });
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          feed(value);
          if (ended) break;
        }
        if (ended) return;
        attempt = 0; // the connection worked; it was cut, not refused
      } catch (error) {
        if (signal.aborted) return;
        if (error.status) {
          state.textContent = "The log could not be read.";
          showProblem(error);
          return;
        }
      }
      state.textContent = "The connection dropped; reconnecting…";
      await sleep(1000, signal);
    }
  }

  function appendLine(log, line) {
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.append(el("span", { class: "line", "data-seq": line.seq }, line.text + "\n"));
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  // A parser for text/event-stream (https://html.spec.whatwg.org/multipage/server-sent-events.html):
  // fields per line, an empty line dispatches the event, ':' starts a comment.
  function sseParser(onEvent) {
    let buffer = "";
    let type = "";
    let data = [];
    return (chunk) => {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop();
      for (let line of lines) {
        if (line.endsWith("\r")) line = line.slice(0, -1);
        if (line === "") {
          if (data.length) onEvent({ type: type || "message", data: data.join("\n") });
          type = "";
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "event") type = value;
        else if (field === "data") data.push(value);
        // "id" is kept by the line's own seq; "retry" is ours to decide
      }
    };
  }

  // ---- routing -----------------------------------------------------------------------------

  function route() {
    page.abort();
    page = new AbortController();
    clearProblem();
    if (!sessionStorage.getItem(TOKEN_KEY)) {
      signOut(null);
      return;
    }
    $("login").hidden = true;
    $("view").hidden = false;
    $("view").replaceChildren();
    showSession();
    let parts = [];
    try {
      parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
    } catch {
      // a mangled address: show the projects
    }
    if (parts[0] === "projects" && parts[1]) projectView(parts[1], page.signal);
    else if (parts[0] === "deploys" && /^\d+$/.test(parts[1] || "")) deployView(parts[1], page.signal);
    else projectsView(page.signal);
  }

  window.addEventListener("hashchange", route);
  route();
})();
