package dev.hoist.server.http;

import dev.hoist.server.ProjectConfig;
import dev.hoist.server.hooks.HookDecision;
import dev.hoist.server.hooks.HookGate;
import dev.hoist.server.hooks.HookRequest;
import dev.hoist.server.hooks.PushEvent;
import dev.hoist.server.queue.DeployRequest;
import dev.hoist.server.run.Deploys;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /hooks/<project>}: reads at most {@link HookGate#MAX_BODY} + 1 bytes of the raw body
 * (a declared length over the limit is refused unread), lets the gate decide, and queues an
 * accepted push. Every refusal is logged (without the secret or the body) and counted.
 */
final class HookEndpoint {
  private final Backend backend;

  HookEndpoint(Backend backend) {
    this.backend = backend;
  }

  void handle(Context ctx) throws IOException {
    String name = ctx.pathParam("project");
    ProjectConfig project = backend.config().projects().get(name);
    if (project == null) {
      refuse(
          ctx,
          "_unknown",
          404,
          "no project '" + printable(name) + "' in server.yml",
          "use the project's name from server.yml in the URL: /hooks/<project>");
      return;
    }
    long declared = ctx.req().getContentLengthLong();
    byte[] body;
    if (declared > HookGate.MAX_BODY) {
      body = new byte[HookGate.MAX_BODY + 1]; // the gate refuses it by size, unread
    } else {
      try (InputStream in = ctx.req().getInputStream()) {
        body = in.readNBytes(HookGate.MAX_BODY + 1);
      }
    }
    Map<String, String> headers = new LinkedHashMap<>();
    ctx.headerMap().forEach(headers::put);
    HookDecision decision =
        backend
            .gate()
            .decide(
                name, project.hook(), new HookRequest(headers, body), backend.clock().instant());
    if (decision instanceof HookDecision.Accepted accepted) {
      PushEvent push = accepted.push();
      String delivery = delivery(ctx, project);
      Deploys.Submitted submitted =
          backend
              .deploys()
              .submit(
                  new DeployRequest(
                      name,
                      push.after(),
                      push.author(),
                      push.message(),
                      "webhook "
                          + project.hook().provider().word()
                          + (delivery == null ? "" : " " + printable(delivery))));
      backend
          .log()
          .accept(
              "hook "
                  + name
                  + ": "
                  + decision.message()
                  + " -> deploy "
                  + submitted.id()
                  + " ("
                  + submitted.admission().name().toLowerCase(java.util.Locale.ROOT)
                  + ")");
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("message", decision.message());
      answer.put("id", submitted.id());
      ctx.status(202).contentType("application/json").result(Json.write(answer));
      return;
    }
    if (decision.status() >= 400) {
      refuse(ctx, name, decision.status(), decision.message(), fix(decision.status()));
      return;
    }
    backend.log().accept("hook " + name + ": " + decision.status() + " " + decision.message());
    ctx.status(decision.status())
        .contentType("application/json")
        .result(Json.write(Map.of("message", decision.message())));
  }

  private void refuse(Context ctx, String project, int status, String error, String fix) {
    String reason =
        switch (status) {
          case 401 -> "signature";
          case 404 -> "unknown_project";
          case 413 -> "too_large";
          default -> "malformed";
        };
    backend.metrics().rejection(project, reason);
    backend
        .log()
        .accept("hook " + project + " refused from " + ctx.ip() + ": " + status + " " + error);
    ctx.status(status).contentType("application/json").result(Json.write(Json.error(error, fix)));
  }

  private static String fix(int status) {
    return switch (status) {
      case 401 ->
          "sign the body with the project's secret_file in the provider's header (a project"
              + " without one takes no webhooks)";
      case 413 -> "a push payload is far smaller; check what sends this";
      default -> "send the provider's push payload as JSON";
    };
  }

  /** The delivery id as the provider sends it, for the trigger line; null when absent. */
  private static String delivery(Context ctx, ProjectConfig project) {
    List<String> names =
        switch (project.hook().provider()) {
          case GITHUB -> List.of("X-GitHub-Delivery");
          case GITEA -> List.of("X-Gitea-Delivery");
          case GITLAB -> List.of("webhook-id", "Idempotency-Key", "X-Gitlab-Event-UUID");
          case HMAC -> List.of("X-Hoist-Delivery");
        };
    return names.stream().map(ctx::header).filter(v -> v != null).findFirst().orElse(null);
  }

  /** A client-given string for a log line: printable ASCII, at most 80 characters. */
  static String printable(String text) {
    String kept = text.replaceAll("[^\\x20-\\x7e]", "?");
    return kept.length() > 80 ? kept.substring(0, 80) + "..." : kept;
  }
}
