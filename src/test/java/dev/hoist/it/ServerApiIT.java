package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
  private static final ObjectMapper JSON = ServerClient.JSON;

  @TempDir Path tmp;

  @Test
  void webhooksTheApiTheLogAndMetricsOfARunningServer() throws Exception {
    Path repo = Hoist.copyExample("hello", "hello", "srvhello", tmp);
    String commit = GitRepo.init(repo);

    Hoist.purge("srvhello");
    try (ServerProcess server = new ServerProcess(tmp, "hello", repo, SECRET)) {
      ServerClient client = new ServerClient(server);
      String read = server.token("reader", "read");
      String deploy = server.token("ci", "deploy");
      server.start();

      byte[] push = ServerClient.octokitPush(commit);
      HttpResponse<String> accepted =
          client.hook("/hooks/hello", push, "delivery-1", client.sign(push));
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      long id = JSON.readTree(accepted.body()).get("id").asLong();

      // The log as server-sent events, to its end; the end event is the deploy as the API has it.
      List<String> events = client.sse("/api/deploys/" + id + "/log", read);
      assertThat(events).anyMatch(l -> l.startsWith("event: line")).contains("event: end");
      // The deploy's own steps, live as each ends (hoist deploy --progress), not only its result.
      assertThat(events)
          .anyMatch(l -> l.startsWith("data: ") && l.matches(".*\\bok\\b.*\\bhealth\\b.*"));
      JsonNode ended = JSON.readTree(events.get(events.indexOf("event: end") + 1).substring(6));
      JsonNode record = client.deploy(id, read);
      assertThat(ended).isEqualTo(record);
      assertThat(record.get("commit").asText()).isEqualTo(commit);
      assertThat(record.get("trigger").asText()).isEqualTo("webhook github delivery-1");
      assertThat(record.get("status").asText()).as(record.toString()).isEqualTo("succeeded");
      assertThat(record.get("nodes").get(0).get("outcome").asText()).isEqualTo("deployed");
      // Served by this machine's nginx: the pushed commit is live.
      assertThat(Http.get("srvhello.test", "/").body()).contains("Hello from hoist!");
      assertThat(client.get("/api/deploys/" + id + "/log", read).body()).isNotBlank();

      // A replay of the same delivery: 200, nothing new.
      assertThat(client.hook("/hooks/hello", push, "delivery-1", client.sign(push)).statusCode())
          .isEqualTo(200);
      assertThat(
              client
                  .hook("/hooks/hello", push, "delivery-2", "sha256=" + "0".repeat(64))
                  .statusCode())
          .isEqualTo(401);
      assertThat(client.hook("/hooks/nope", push, "delivery-3", client.sign(push)).statusCode())
          .isEqualTo(404);
      byte[] big = new byte[6 * 1024 * 1024];
      assertThat(client.hook("/hooks/hello", big, "delivery-4", client.sign(big)).statusCode())
          .isEqualTo(413);
      assertThat(client.get("/api/projects", null).statusCode()).isEqualTo(401);
      assertThat(client.post("/api/projects/hello/deploy", "{}", read).statusCode()).isEqualTo(403);
      assertThat(client.post("/api/projects/nope/deploy", "{}", deploy).statusCode())
          .isEqualTo(404);
      JsonNode deploys = JSON.readTree(client.get("/api/deploys?project=hello", read).body());
      assertThat(deploys.get("deploys")).hasSize(1);
      JsonNode projects = JSON.readTree(client.get("/api/projects", read).body());
      assertThat(projects.get("projects").get(0).get("last_deploy").get("id").asLong())
          .isEqualTo(id);

      String metrics = client.get("/metrics", null).body();
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
}
