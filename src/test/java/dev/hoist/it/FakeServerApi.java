package dev.hoist.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for {@code hoist server}'s API (the shapes docs/server.md gives) on a loopback port,
 * serving the real dashboard files: one project, two finished deploys (one with markup in its
 * message and author), a running one whose log streams when first asked for (and drops the
 * connection once, to make the page resume with Last-Event-ID), and rollbacks for a deploy token.
 * It lets the dashboard's own cases (401, 403, escaping, resuming) be checked without a deploy.
 */
final class FakeServerApi implements AutoCloseable {
  static final String READ_TOKEN = "hoist_read-token-of-the-fake";
  static final String DEPLOY_TOKEN = "hoist_deploy-token-of-the-fake";
  static final String HOSTILE = "<img src=x onerror=\"document.title='owned'\"> & <b>bold</b>";
  static final int LIVE_LINES = 10;

  private static final Pattern DEPLOY = Pattern.compile("/api/deploys/(\\d+)(/log)?");
  private static final Pattern ROLLBACK = Pattern.compile("/api/projects/([a-z0-9-]+)/rollback");

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final ObjectMapper json = new ObjectMapper();
  private final Map<Long, Deploy> deploys = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong(4);
  private final AtomicBoolean liveStarted = new AtomicBoolean();
  private final AtomicBoolean droppedOnce = new AtomicBoolean();
  private volatile String serving = "20261203-120000-bbbbbbb";

  /** Every Cookie header any request carried (the dashboard must send none). */
  final List<String> cookies = new CopyOnWriteArrayList<>();

  /** Every Last-Event-ID header a log request carried. */
  final List<String> resumedAfter = new CopyOnWriteArrayList<>();

  /** Every API request that came without a known token. */
  final List<String> unauthorized = new CopyOnWriteArrayList<>();

  /** Rollbacks started. */
  final AtomicLong rollbacks = new AtomicLong();

  FakeServerApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    add(finished(1, "aaaaaaa", "Ann Example", "first release", "20261203-110000-aaaaaaa"));
    add(finished(2, "bbbbbbb", "<script>alert(1)</script>", HOSTILE, "20261203-120000-bbbbbbb"));
    Deploy live = new Deploy(3, "deploy", "ccccccccccccccccccccccccccccccccccccccccc");
    live.author = "Bo Builder";
    live.message = "add the live log";
    live.status = "running";
    live.startedAt = Instant.now().toString();
    add(live);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  String serving() {
    return serving;
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  private static Deploy finished(
      long id, String shortCommit, String author, String message, String release) {
    Deploy d = new Deploy(id, "deploy", shortCommit.repeat(6).substring(0, 40));
    d.author = author;
    d.message = message;
    d.status = "succeeded";
    d.startedAt = "2026-12-03T1" + id + ":00:00Z";
    d.finishedAt = "2026-12-03T1" + id + ":00:42Z";
    d.durationMs = 42_000L;
    d.nodes.add(List.of("web1", "deployed", release));
    d.nodes.add(List.of("web2", "deployed", release));
    d.lines.add("fetch " + d.commit);
    d.lines.add("web1: " + release + " serving");
    return d;
  }

  private void add(Deploy d) {
    deploys.put(d.id, d);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      List<String> cookie = ex.getRequestHeaders().get("Cookie");
      if (cookie != null) {
        cookies.addAll(cookie);
      }
      String path = ex.getRequestURI().getPath();
      if (path.equals("/")) {
        file(ex, "index.html", "text/html; charset=utf-8");
      } else if (path.equals("/static/app.js")) {
        file(ex, "app.js", "text/javascript; charset=utf-8");
      } else if (path.equals("/static/style.css")) {
        file(ex, "style.css", "text/css; charset=utf-8");
      } else if (path.startsWith("/api/")) {
        api(ex, path);
      } else {
        send(ex, 404, "text/plain", "not found");
      }
    }
  }

  private void api(HttpExchange ex, String path) throws IOException {
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : "";
    if (!token.equals(READ_TOKEN) && !token.equals(DEPLOY_TOKEN)) {
      unauthorized.add(path);
      error(ex, 401, "no valid API token", "send Authorization: Bearer hoist_...");
      return;
    }
    Matcher deploy = DEPLOY.matcher(path);
    Matcher rollback = ROLLBACK.matcher(path);
    if (path.equals("/api/projects")) {
      sendJson(ex, 200, Map.of("projects", List.of(project())));
    } else if (path.equals("/api/deploys")) {
      List<Map<String, Object>> list = new ArrayList<>();
      deploys.values().stream()
          .sorted((a, b) -> Long.compare(b.id, a.id))
          .forEach(d -> list.add(d.json()));
      sendJson(ex, 200, Map.of("deploys", list));
    } else if (deploy.matches() && deploys.containsKey(Long.parseLong(deploy.group(1)))) {
      Deploy d = deploys.get(Long.parseLong(deploy.group(1)));
      if (deploy.group(2) == null) {
        sendJson(ex, 200, d.json());
      } else {
        log(ex, d);
      }
    } else if (rollback.matches() && ex.getRequestMethod().equals("POST")) {
      if (!token.equals(DEPLOY_TOKEN)) {
        error(
            ex,
            403,
            "this token has the read scope; rolling back needs deploy",
            "use a token made with the deploy scope");
        return;
      }
      sendJson(ex, 202, Map.of("id", startRollback()));
    } else {
      error(ex, 404, "no such thing: " + path, "see docs/server.md for the API");
    }
  }

  private Map<String, Object> project() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("name", "shop");
    p.put("repo", "https://git.example.com/you/shop.git");
    p.put("branch", "main");
    p.put("env", "live");
    p.put(
        "last_deploy",
        deploys.values().stream().max((a, b) -> Long.compare(a.id, b.id)).get().json());
    p.put(
        "nodes",
        List.of(
            Map.of("node", "web1", "release", serving),
            Map.of("node", "web2", "release", serving)));
    return p;
  }

  private long startRollback() {
    rollbacks.incrementAndGet();
    Deploy d = new Deploy(nextId.getAndIncrement(), "rollback", null);
    d.trigger = "api";
    d.status = "running";
    d.startedAt = Instant.now().toString();
    add(d);
    String previous = "20261203-120000-bbbbbbb";
    threads.submit(
        () -> {
          for (String node : List.of("web1", "web2")) {
            pause(300);
            d.addLine(node + ": switching back to " + previous);
            d.nodes.add(List.of(node, "rolled back", previous));
          }
          serving = previous;
          d.finish("succeeded");
          return null;
        });
    return d.id;
  }

  private void startLive(Deploy d) {
    threads.submit(
        () -> {
          for (int i = 1; i <= LIVE_LINES; i++) {
            pause(300);
            d.addLine("step " + i + " of " + LIVE_LINES + (i == 4 ? " " + HOSTILE : ""));
          }
          d.nodes.add(List.of("web1", "deployed", "20261203-130000-ccccccc"));
          d.nodes.add(List.of("web2", "deployed", "20261203-130000-ccccccc"));
          serving = "20261203-130000-ccccccc";
          d.finish("succeeded");
          return null;
        });
  }

  // SSE as seam 2 says: id + event line + data per line, then an end event with the deploy.
  // Each event goes out in two writes split inside a line, as a network may cut it.
  private void log(HttpExchange ex, Deploy d) throws IOException {
    String accept = ex.getRequestHeaders().getFirst("Accept");
    if (accept == null || !accept.contains("text/event-stream")) {
      send(ex, 200, "text/plain; charset=utf-8", String.join("\n", d.snapshot()) + "\n");
      return;
    }
    if (d.id == 3 && liveStarted.compareAndSet(false, true)) {
      startLive(d);
    }
    String last = ex.getRequestHeaders().getFirst("Last-Event-ID");
    if (last != null) {
      resumedAfter.add(last);
    }
    int sent = last == null ? 0 : Integer.parseInt(last);
    ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(200, 0);
    OutputStream out = ex.getResponseBody();
    out.write(": hello\n\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
    for (int waited = 0; waited < 600; waited++) {
      boolean done = d.finished(); // before the lines: every line is added before finish()
      List<String> lines = d.snapshot();
      while (sent < lines.size()) {
        String text = lines.get(sent++);
        String data = json.writeValueAsString(Map.of("seq", sent, "text", text));
        String event = "id: " + sent + "\nevent: line\ndata: " + data + "\n\n";
        int cut = event.length() / 2;
        out.write(event.substring(0, cut).getBytes(StandardCharsets.UTF_8));
        out.flush();
        out.write(event.substring(cut).getBytes(StandardCharsets.UTF_8));
        out.flush();
        if (d.id == 3 && sent == 3 && droppedOnce.compareAndSet(false, true)) {
          return; // cut the connection once, mid-deploy
        }
      }
      if (done) {
        out.write(
            ("event: end\ndata: " + json.writeValueAsString(d.json()) + "\n\n")
                .getBytes(StandardCharsets.UTF_8));
        return;
      }
      pause(50);
    }
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void file(HttpExchange ex, String name, String type) throws IOException {
    try (InputStream in =
        FakeServerApi.class.getResourceAsStream("/dev/hoist/server/dashboard/" + name)) {
      if (in == null) {
        send(ex, 404, "text/plain", "missing resource " + name);
        return;
      }
      send(ex, 200, type, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private void error(HttpExchange ex, int status, String error, String fix) throws IOException {
    sendJson(ex, status, Map.of("error", error, "fix", fix));
  }

  private void sendJson(HttpExchange ex, int status, Object body) throws IOException {
    send(ex, status, "application/json", json.writeValueAsString(body));
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  /** One deploy as the history holds it. */
  private static final class Deploy {
    final long id;
    final String kind;
    final String commit;
    volatile String author;
    volatile String message;
    volatile String trigger = "webhook github 1234";
    volatile String status;
    volatile String startedAt;
    volatile String finishedAt;
    volatile Long durationMs;
    final List<List<String>> nodes = new CopyOnWriteArrayList<>();
    final List<String> lines = new CopyOnWriteArrayList<>();

    Deploy(long id, String kind, String commit) {
      this.id = id;
      this.kind = kind;
      this.commit = commit;
    }

    void addLine(String text) {
      lines.add(text);
    }

    List<String> snapshot() {
      return List.copyOf(lines);
    }

    boolean finished() {
      return finishedAt != null;
    }

    void finish(String result) {
      durationMs = 3_000L;
      status = result;
      finishedAt = Instant.now().toString();
    }

    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", id);
      m.put("project", "shop");
      m.put("kind", kind);
      m.put("commit", commit);
      m.put("author", author);
      m.put("message", message);
      m.put("trigger", trigger);
      m.put("status", status);
      m.put("error", null);
      m.put("queued_at", startedAt);
      m.put("started_at", startedAt);
      m.put("finished_at", finishedAt);
      m.put("duration_ms", durationMs);
      m.put("superseded_by", null);
      Map<String, Object> phases = new LinkedHashMap<>();
      phases.put("fetch_ms", durationMs == null ? null : 1_000L);
      phases.put("build_ms", durationMs == null ? null : 500L);
      phases.put("deploy_ms", durationMs == null ? null : 1_500L);
      m.put("phases", phases);
      m.put(
          "nodes",
          nodes.stream()
              .map(n -> Map.of("node", n.get(0), "outcome", n.get(1), "release", n.get(2)))
              .toList());
      return m;
    }
  }
}
