package dev.hoist.server.gitpush;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * The two calls of SERVER.md's API that a push makes, served from a JDK HttpServer on loopback: a
 * deploy request answered 202 with id 7, and deploy 7's log as server-sent events whose first
 * stream breaks after the first line (to test resuming with Last-Event-ID).
 */
final class FakeApi implements AutoCloseable {
  static final String TOKEN = "hoist_localtoken";

  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<String> bodies = new CopyOnWriteArrayList<>();
  volatile String status = "succeeded";
  private final HttpServer server;
  private int streams;

  FakeApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange x) throws IOException {
    String auth = x.getRequestHeaders().getFirst("Authorization");
    String resume = x.getRequestHeaders().getFirst("Last-Event-ID");
    calls.add(
        x.getRequestMethod()
            + " "
            + x.getRequestURI().getPath()
            + (resume == null ? "" : " after " + resume));
    bodies.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    if (!("Bearer " + TOKEN).equals(auth)) {
      send(x, 401, "{\"error\":\"no valid token\",\"fix\":\"send Authorization: Bearer\"}");
      return;
    }
    String path = x.getRequestURI().getPath();
    if (path.equals("/api/projects/shop/deploy")) {
      send(x, 202, "{\"id\":7}");
    } else if (path.equals("/api/deploys/7/log")) {
      log(x, resume);
    } else {
      send(x, 404, "{\"error\":\"no such thing\",\"fix\":\"\"}");
    }
  }

  private synchronized void log(HttpExchange x, String resume) throws IOException {
    x.getResponseHeaders().add("Content-Type", "text/event-stream");
    x.sendResponseHeaders(200, 0);
    try (OutputStream out = x.getResponseBody()) {
      if (resume == null) {
        event(out, "id: 1\nevent: line\ndata: {\"seq\":1,\"text\":\"fetch 1a2b3c\"}\n\n");
        streams++;
        return; // the stream breaks before the end
      }
      event(out, ": keep-alive\n\n");
      event(out, "id: 2\nevent: line\ndata: {\"seq\":2,\"text\":\"web1 deployed\"}\n\n");
      event(
          out,
          "event: end\ndata: {\"id\":7,\"status\":\""
              + status
              + "\",\"error\":"
              + (status.equals("failed") ? "\"build failed: exit 1\"" : "null")
              + ",\"duration_ms\":4200,\"nodes\":[{\"node\":\"web1\",\"outcome\":\"deployed\","
              + "\"release\":\"r2\"}]}\n\n");
    }
  }

  private static void event(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void send(HttpExchange x, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json");
    x.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
