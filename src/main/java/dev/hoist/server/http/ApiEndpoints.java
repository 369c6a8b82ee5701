package dev.hoist.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.server.ProjectConfig;
import dev.hoist.server.history.DeployRecord;
import dev.hoist.server.history.NodeOutcome;
import dev.hoist.server.queue.DeployRequest;
import dev.hoist.server.run.Deploys;
import dev.hoist.server.tokens.ApiToken;
import dev.hoist.server.tokens.Authorization;
import dev.hoist.server.tokens.Scope;
import dev.hoist.server.tokens.Tokens;
import io.javalin.http.Context;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The JSON API under {@code /api} (SERVER.md, seam 2): bearer tokens, read or deploy scope. */
final class ApiEndpoints {
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
  private static final int MAX_LIMIT = 500;
  private final Backend backend;

  ApiEndpoints(Backend backend) {
    this.backend = backend;
  }

  void projects(Context ctx) {
    authorize(ctx, Scope.READ);
    List<Map<String, Object>> projects = new ArrayList<>();
    for (ProjectConfig p : backend.config().projects().values()) {
      List<DeployRecord> recent = backend.history().deploys(Optional.of(p.name()), 50);
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("name", p.name());
      map.put("repo", withoutCredentials(p.repo()));
      map.put("branch", p.branch());
      map.put("env", p.env().orElse(null));
      map.put("last_deploy", recent.isEmpty() ? null : Json.deploy(recent.get(0)));
      map.put("nodes", releases(recent));
      projects.add(map);
    }
    json(ctx, 200, Map.of("projects", projects));
  }

  void deploys(Context ctx) {
    authorize(ctx, Scope.READ);
    Optional<String> project = Optional.ofNullable(ctx.queryParam("project"));
    project.ifPresent(this::project);
    int limit = 20;
    String asked = ctx.queryParam("limit");
    if (asked != null) {
      try {
        limit = Integer.parseInt(asked);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new Problem(
            400, "limit must be a number from 1 to " + MAX_LIMIT, "e.g. /api/deploys?limit=20");
      }
    }
    json(
        ctx,
        200,
        Map.of(
            "deploys",
            backend.history().deploys(project, limit).stream().map(Json::deploy).toList()));
  }

  void deploy(Context ctx) {
    authorize(ctx, Scope.READ);
    json(ctx, 200, Json.deploy(record(ctx)));
  }

  void startDeploy(Context ctx) {
    ApiToken token = authorize(ctx, Scope.DEPLOY);
    ProjectConfig project = project(ctx.pathParam("project"));
    JsonNode body = Json.object(ctx.bodyAsBytes());
    String commit = null;
    if (body.has("commit") && !body.get("commit").isNull()) {
      commit = body.get("commit").asText();
      if (!body.get("commit").isTextual() || !COMMIT.matcher(commit).matches()) {
        throw new Problem(
            400,
            "commit must be a full commit id (40 or 64 lowercase hex digits)",
            "git rev-parse <rev> gives it; or send {} for the head of " + project.branch());
      }
    }
    submit(
        ctx,
        new DeployRequest(
            project.name(),
            commit,
            token.name(),
            commit == null ? "the head of " + project.branch() : "",
            "api token " + token.name()));
  }

  void rollback(Context ctx) {
    ApiToken token = authorize(ctx, Scope.DEPLOY);
    ProjectConfig project = project(ctx.pathParam("project"));
    submit(
        ctx,
        new DeployRequest(
            project.name(),
            null,
            token.name(),
            "roll back to the previous release",
            "api token " + token.name(),
            DeployRequest.Kind.ROLLBACK));
  }

  private void submit(Context ctx, DeployRequest request) {
    Deploys.Submitted submitted = backend.deploys().submit(request);
    backend
        .log()
        .accept(
            "api: "
                + request.trigger()
                + " asked to "
                + request.kind().word()
                + " "
                + request.project()
                + " -> deploy "
                + submitted.id());
    json(ctx, 202, Map.of("id", submitted.id()));
  }

  /** The deploy named by the {@code id} path parameter. */
  DeployRecord record(Context ctx) {
    String id = ctx.pathParam("id");
    try {
      return backend.history().deploy(Long.parseLong(id)).orElseThrow(() -> notFound(id));
    } catch (NumberFormatException e) {
      throw notFound(id);
    }
  }

  /**
   * The token of the request, if its scope allows {@code needed}.
   *
   * @throws Problem 401 without a known token, 403 with one whose scope is too narrow
   */
  ApiToken authorize(Context ctx, Scope needed) {
    Authorization auth =
        Tokens.authorize(
            Optional.ofNullable(ctx.header("Authorization")), needed, backend.history().tokens());
    return switch (auth) {
      case Authorization.Allowed allowed -> allowed.token();
      case Authorization.Unauthenticated u -> {
        ctx.header("WWW-Authenticate", "Bearer");
        throw new Problem(
            401, u.reason(), "make a token with: hoist server token create NAME --scope read");
      }
      case Authorization.Forbidden f ->
          throw new Problem(
              403,
              "token '"
                  + f.token().name()
                  + "' has scope "
                  + f.token().scope().word()
                  + "; this needs "
                  + f.needed().word(),
              "make one with: hoist server token create NAME --scope " + f.needed().word());
    };
  }

  private ProjectConfig project(String name) {
    ProjectConfig project = backend.config().projects().get(name);
    if (project == null) {
      throw new Problem(
          404,
          "no project '" + HookEndpoint.printable(name) + "'",
          "the projects are: " + String.join(", ", backend.config().projects().keySet()));
    }
    return project;
  }

  private static Problem notFound(String id) {
    return new Problem(
        404, "no deploy " + HookEndpoint.printable(id), "GET /api/deploys lists the deploys");
  }

  /** The release each node serves: its newest outcome that names one. */
  private static List<Map<String, Object>> releases(List<DeployRecord> newestFirst) {
    Map<String, String> seen = new LinkedHashMap<>();
    for (DeployRecord d : newestFirst) {
      for (NodeOutcome n : d.nodes()) {
        if (n.release().isPresent() && !seen.containsKey(n.node())) {
          seen.put(n.node(), n.release().get());
        }
      }
    }
    List<Map<String, Object>> nodes = new ArrayList<>();
    seen.forEach((node, release) -> nodes.add(Map.of("node", node, "release", release)));
    return nodes;
  }

  /** A repo URL without a user:password part (a token in an https URL is a secret). */
  static String withoutCredentials(String repo) {
    try {
      URI uri = new URI(repo);
      if (uri.getRawUserInfo() != null && uri.getScheme() != null && uri.getHost() != null) {
        return new URI(
                uri.getScheme(),
                null,
                uri.getHost(),
                uri.getPort(),
                uri.getPath(),
                uri.getQuery(),
                uri.getFragment())
            .toString();
      }
    } catch (URISyntaxException e) {
      // not a URL: scp-like (git@host:path) or a path, which holds no password
    }
    return repo;
  }

  static void json(Context ctx, int status, Object body) {
    ctx.status(status).contentType("application/json").result(Json.write(body));
  }
}
