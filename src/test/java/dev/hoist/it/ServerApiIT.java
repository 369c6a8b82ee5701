package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hoist server} as a real process: tokens made with {@code hoist server token create}, a
 * webhook signed here over GitHub's documented push example (octokit/webhooks) pointed at a commit
 * of a local repository, deployed on this machine and served by nginx, the deploy's log as SSE, the
 * API's 401/403/404, 413, a replay answered 200, /metrics read by the Prometheus client's own
 * text-format parser, and a SIGTERM stop.
 */
class ServerApiIT {
  private static final String SECRET = "a webhook secret for ServerApiIT";
  private static final String OCTOKIT_HEAD = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path tmp;

  @Test
  void webhooksTheApiTheLogAndMetricsOfARunningServer() throws Exception {
    Path repo = Hoist.copyExample("hello", "hello", "srvhello", tmp);
    git(repo, "init", "-q", "-b", "main");
    git(repo, "add", "-A");
    git(
        repo,
        "-c",
        "user.name=Jane",
        "-c",
        "user.email=jane@example.com",
        "commit",
        "-q",
        "-m",
        "hello");
    String commit = git(repo, "rev-parse", "HEAD").trim();

    Hoist.purge("srvhello");
    // This server runs as root (as the other ITs' hoist does): it builds as the 'hoist' user,
    // which 'hoist server install' makes on a real server.
    Hoist.sh(
        "id -u hoist >/dev/null 2>&1 || useradd --system --user-group --home-dir /nonexistent"
            + " --shell /usr/sbin/nologin hoist");
    try (ServerProcess server = new ServerProcess(tmp, "hello", repo, SECRET)) {
      String read = token(server, "reader", "read");
      String deploy = token(server, "ci", "deploy");
      server.start();

      byte[] push = octokitPush(commit);
      HttpResponse<String> accepted = hook(server, "/hooks/hello", push, "delivery-1", sign(push));
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      long id = JSON.readTree(accepted.body()).get("id").asLong();

      // The log as server-sent events, to its end; the end event is the deploy as the API has it.
      List<String> events = sse(server, "/api/deploys/" + id + "/log", read);
      assertThat(events).anyMatch(l -> l.startsWith("event: line")).contains("event: end");
      JsonNode ended = JSON.readTree(events.get(events.indexOf("event: end") + 1).substring(6));
      JsonNode record = JSON.readTree(get(server, "/api/deploys/" + id, read).body());
      assertThat(ended).isEqualTo(record);
      assertThat(record.get("commit").asText()).isEqualTo(commit);
      assertThat(record.get("trigger").asText()).isEqualTo("webhook github delivery-1");
      assertThat(record.get("status").asText()).as(record.toString()).isEqualTo("succeeded");
      assertThat(record.get("nodes").get(0).get("outcome").asText()).isEqualTo("deployed");
      // Served by this machine's nginx: the pushed commit is live.
      assertThat(Http.get("srvhello.test", "/").body()).contains("Hello from hoist!");
      assertThat(get(server, "/api/deploys/" + id + "/log", read).body()).isNotBlank();

      // A replay of the same delivery: 200, nothing new.
      assertThat(hook(server, "/hooks/hello", push, "delivery-1", sign(push)).statusCode())
          .isEqualTo(200);
      assertThat(
              hook(server, "/hooks/hello", push, "delivery-2", "sha256=" + "0".repeat(64))
                  .statusCode())
          .isEqualTo(401);
      assertThat(hook(server, "/hooks/nope", push, "delivery-3", sign(push)).statusCode())
          .isEqualTo(404);
      byte[] big = new byte[6 * 1024 * 1024];
      assertThat(hook(server, "/hooks/hello", big, "delivery-4", sign(big)).statusCode())
          .isEqualTo(413);
      assertThat(get(server, "/api/projects", null).statusCode()).isEqualTo(401);
      assertThat(post(server, "/api/projects/hello/deploy", "{}", read).statusCode())
          .isEqualTo(403);
      assertThat(post(server, "/api/projects/nope/deploy", "{}", deploy).statusCode())
          .isEqualTo(404);
      JsonNode deploys = JSON.readTree(get(server, "/api/deploys?project=hello", read).body());
      assertThat(deploys.get("deploys")).hasSize(1);
      JsonNode projects = JSON.readTree(get(server, "/api/projects", read).body());
      assertThat(projects.get("projects").get(0).get("last_deploy").get("id").asLong())
          .isEqualTo(id);

      String metrics = get(server, "/metrics", null).body();
      String parsed = prometheusParse(metrics);
      assertThat(parsed)
          .contains(
              "hoist_webhook_rejections counter", // the parser names a counter without _total
              "hoist_webhook_rejections_total{project=hello,reason=signature} 1.0",
              "hoist_webhook_rejections_total{project=_unknown,reason=unknown_project} 1.0",
              "hoist_webhook_rejections_total{project=hello,reason=too_large} 1.0",
              "hoist_deploy_duration_seconds histogram",
              "hoist_deploy_duration_seconds_count 1.0",
              "hoist_queue_length{project=hello} 0.0",
              "hoist_deploys_total{project=hello,result=succeeded} 1.0");

      assertThat(server.stop()).isIn(0, 143);
      assertThat(server.log()).contains("hoist server: stopped").doesNotContain(SECRET);
      assertThat(server.log()).doesNotContain(read).doesNotContain(deploy);
    } finally {
      Hoist.purge("srvhello");
    }
  }

  private static String token(ServerProcess server, String name, String scope) throws Exception {
    Hoist.Result made =
        Hoist.run(
            "server", "token", "create", name, "--scope", scope, "--config", server.yml.toString());
    assertThat(made.exit()).as(made.all()).isZero();
    return made.out().trim();
  }

  /** GitHub's documented push, on branch main and at {@code commit} instead of its own. */
  private static byte[] octokitPush(String commit) throws IOException {
    try (InputStream in =
        ServerApiIT.class.getResourceAsStream(
            "/dev/hoist/server/hooks/octokit/push-with-new-branch.json")) {
      String example = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return example
          .replace("refs/heads/master", "refs/heads/main")
          .replace(OCTOKIT_HEAD, commit)
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  /** The families and samples as prometheus_client's parser reads them, one per line. */
  private static String prometheusParse(String text) throws Exception {
    Path in = Files.createTempFile("metrics", ".txt");
    Files.writeString(in, text);
    String script =
        """
        import sys
        from prometheus_client.parser import text_string_to_metric_families
        for f in text_string_to_metric_families(open(sys.argv[1]).read()):
            print(f.name, f.type)
            for s in f.samples:
                labels = ",".join(k + "=" + v for k, v in sorted(s.labels.items()))
                print(s.name + ("{" + labels + "}" if labels else ""), float(s.value))
        """;
    // Debian's python3 with python3-prometheus-client (scripts/install-test-deps.sh).
    ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "-c", script, in.toString());
    Hoist.Result r = Hoist.capture(pb, "the Prometheus parser");
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out();
  }

  private static String sign(byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
  }

  private HttpResponse<String> hook(
      ServerProcess server, String path, byte[] body, String delivery, String signature)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.base() + path))
            .header("X-GitHub-Event", "push")
            .header("X-GitHub-Delivery", delivery)
            .header("X-Hub-Signature-256", signature)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            // An oversized body waits for the server's answer (413) instead of racing its close.
            .expectContinue(body.length > 5 * 1024 * 1024)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private List<String> sse(ServerProcess server, String path, String token) throws Exception {
    HttpResponse<InputStream> response =
        http.send(
            HttpRequest.newBuilder(URI.create(server.base() + path))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream")
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    List<String> lines = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line);
      }
    }
    return lines;
  }

  private HttpResponse<String> get(ServerProcess server, String path, String token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(ServerProcess server, String path, String body, String token)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.base() + path))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String git(Path dir, String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("git"));
    argv.addAll(List.of(args));
    Hoist.Result r = Hoist.capture(new ProcessBuilder(argv).directory(dir.toFile()), "git");
    assertThat(r.exit()).as(r.all()).isZero();
    return r.out();
  }
}
