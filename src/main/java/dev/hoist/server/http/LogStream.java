package dev.hoist.server.http;

import dev.hoist.server.history.DeployRecord;
import dev.hoist.server.history.DeployStatus;
import dev.hoist.server.history.LogLine;
import dev.hoist.server.run.Signal;
import dev.hoist.server.tokens.Scope;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * {@code GET /api/deploys/{id}/log}: with {@code Accept: text/event-stream}, server-sent events (a
 * {@code line} event per log line, its seq as the event id so {@code Last-Event-ID} resumes, then
 * an {@code end} event with the deploy), live while it runs; otherwise the log so far as text.
 */
final class LogStream {
  /** A comment line this often keeps proxies and idle timeouts from closing a quiet stream. */
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

  private final Backend backend;
  private final ApiEndpoints api;

  LogStream(Backend backend, ApiEndpoints api) {
    this.backend = backend;
    this.api = api;
  }

  void handle(Context ctx) throws IOException, InterruptedException {
    api.authorize(ctx, Scope.READ);
    DeployRecord deploy = api.record(ctx);
    String accept = ctx.header("Accept");
    if (accept == null || !accept.contains("text/event-stream")) {
      StringBuilder text = new StringBuilder();
      for (LogLine line : backend.history().log(deploy.id(), 0)) {
        text.append(line.line()).append('\n');
      }
      ctx.contentType("text/plain; charset=utf-8").result(text.toString());
      return;
    }
    ctx.res().setStatus(200);
    ctx.res().setContentType("text/event-stream; charset=utf-8");
    ctx.res().setHeader("Cache-Control", "no-cache");
    ctx.res().setHeader("X-Accel-Buffering", "no"); // nginx in front: pass each event on at once
    stream(ctx.res().getOutputStream(), deploy.id(), lastEventId(ctx));
  }

  private void stream(OutputStream out, long id, long after)
      throws IOException, InterruptedException {
    Signal signal = backend.deploys().signal();
    long seen = after;
    while (true) {
      long version = signal.version();
      DeployRecord deploy = backend.history().deploy(id).orElseThrow();
      // Lines first, then the status read before them: a deploy that ended after that read has
      // its last lines sent on the next round, before its end.
      for (LogLine line : backend.history().log(id, seen)) {
        send(
            out,
            "id: "
                + line.seq()
                + "\nevent: line\ndata: "
                + Json.write(Map.of("seq", line.seq(), "text", line.line()))
                + "\n\n");
        seen = line.seq();
      }
      if (ended(deploy.status())) {
        send(out, "event: end\ndata: " + Json.write(Json.deploy(deploy)) + "\n\n");
        return;
      }
      out.flush();
      if (!signal.await(version, KEEP_ALIVE)) {
        send(out, ": still running\n\n");
        out.flush();
      }
    }
  }

  private static void send(OutputStream out, String event) throws IOException {
    out.write(event.getBytes(StandardCharsets.UTF_8));
  }

  private static boolean ended(DeployStatus status) {
    return status != DeployStatus.QUEUED && status != DeployStatus.RUNNING;
  }

  private static long lastEventId(Context ctx) {
    String last = ctx.header("Last-Event-ID");
    if (last == null) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(last.trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
