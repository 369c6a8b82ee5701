package dev.hoist.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.server.ProjectConfig;
import dev.hoist.server.ServerConfig;
import dev.hoist.server.ServerConfigLoader;
import dev.hoist.server.ServerMain;
import dev.hoist.server.history.History;
import dev.hoist.server.queue.DeployRequest;
import dev.hoist.server.run.Pipeline;
import dev.hoist.server.tokens.NewToken;
import dev.hoist.server.tokens.Scope;
import dev.hoist.server.tokens.Tokens;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server over real HTTP on a loopback port, with a fake pipeline: webhooks, the API and its
 * tokens, the SSE log, /metrics.
 */
class HttpServerTest {
  private static final String SECRET = "It's a Secret to Everybody";
  private static final String MASTER_HEAD = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private final List<DeployRequest> ran = Collections.synchronizedList(new ArrayList<>());
  private volatile CountDownLatch hold = new CountDownLatch(0);
  private volatile String failWith;
  private ServerMain server;
  private String base;
  private String readToken;
  private String deployToken;

  private final Pipeline fake =
      new Pipeline() {
        @Override
        public Result deploy(ProjectConfig project, DeployRequest request, Log out)
            throws Failure, InterruptedException {
          ran.add(request);
          out.line("fetching " + request.commit());
          out.phase("fetch", Duration.ofMillis(12));
          if (!hold.await(20, TimeUnit.SECONDS)) {
            throw new Failure("build", "held too long", null);
          }
          if (failWith != null) {
            throw new Failure("build", failWith, null);
          }
          out.phase("build", Duration.ofMillis(34));
          out.node("local", "deployed", "r-" + request.commit().substring(0, 7));
          out.phase("deploy", Duration.ofMillis(56));
          return new Result(request.commit(), "r-" + request.commit().substring(0, 7));
        }

        @Override
        public Result rollback(ProjectConfig project, Log out) {
          ran.add(null);
          out.node("local", "rolled back", "r-previous");
          return new Result("", "r-previous");
        }
      };

  @BeforeEach
  void start() throws Exception {
    Path secret = dir.resolve("shop.secret");
    Files.writeString(secret, SECRET + "\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    Path yml = dir.resolve("server.yml");
    Files.writeString(
        yml,
        """
        data: data
        projects:
          shop:
            repo: https://user:hunter2@example.com/shop.git
            branch: master
            secret_file: shop.secret
        """);
    ServerConfig loaded = ServerConfigLoader.load(yml);
    ServerConfig config =
        new ServerConfig(
            loaded.file(),
            new ServerConfig.Listen("127.0.0.1", 0),
            loaded.data(),
            loaded.projects());
    try (History history = History.attach(config.data(), Clock.systemUTC())) {
      readToken = token(history, "reader", Scope.READ);
      deployToken = token(history, "ci", Scope.DEPLOY);
    }
    server = ServerMain.start(config, fake, log::add);
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterEach
  void stop() {
    hold.countDown();
    server.close();
  }

  private static String token(History history, String name, Scope scope) {
    NewToken t = Tokens.create(name, scope, Instant.now(), new SecureRandom());
    history.addToken(t.stored());
    return t.secret();
  }

  @Test
  void aSignedPushIsDeployedAndRecorded() throws Exception {
    HttpResponse<String> answer = hook(push(), "d-1", "push");
    assertThat(answer.statusCode()).isEqualTo(202);
    long id = JSON.readTree(answer.body()).get("id").asLong();
    JsonNode deploy = awaitEnded(id);
    assertThat(deploy.get("status").asText()).isEqualTo("succeeded");
    assertThat(deploy.get("commit").asText()).isEqualTo(MASTER_HEAD);
    assertThat(deploy.get("kind").asText()).isEqualTo("deploy");
    assertThat(deploy.get("trigger").asText()).isEqualTo("webhook github d-1");
    assertThat(deploy.get("phases").get("build_ms").asLong()).isEqualTo(34);
    assertThat(deploy.get("nodes").get(0).get("release").asText()).isEqualTo("r-6113728");
    assertThat(ran).extracting(DeployRequest::commit).containsExactly(MASTER_HEAD);

    JsonNode projects = JSON.readTree(get("/api/projects", readToken).body());
    JsonNode shop = projects.get("projects").get(0);
    assertThat(shop.get("repo").asText()).isEqualTo("https://example.com/shop.git");
    assertThat(shop.get("last_deploy").get("id").asLong()).isEqualTo(id);
    assertThat(shop.get("nodes").get(0).get("release").asText()).isEqualTo("r-6113728");
    assertThat(get("/api/deploys/" + id + "/log", readToken).body())
        .contains("fetching " + MASTER_HEAD, "deploy succeeded: release r-6113728");
  }

  @Test
  void refusedWebhooksAreAnsweredLoggedAndCounted() throws Exception {
    assertThat(send(webhook("/hooks/shop", push(), "d-2", "push", "sha256=" + "0".repeat(64))))
        .isEqualTo(401);
    assertThat(send(webhook("/hooks/nope", push(), "d-3", "push", sign(push())))).isEqualTo(404);
    byte[] notJson = "{not json".getBytes(StandardCharsets.UTF_8);
    assertThat(send(webhook("/hooks/shop", notJson, "d-4", "push", sign(notJson)))).isEqualTo(400);
    byte[] big = new byte[5 * 1024 * 1024 + 1];
    // With Expect: 100-continue (as curl sends for large bodies) the 413 comes before the body:
    // without it, the server's close could cut the client mid-send and the answer go unread.
    HttpRequest tooBig =
        HttpRequest.newBuilder(
                webhook("/hooks/shop", big, "d-5", "push", sign(big)), (n, v) -> true)
            .expectContinue(true)
            .build();
    assertThat(send(tooBig)).isEqualTo(413);
    // Chunked, with no length given: cut at the limit all the same.
    HttpRequest chunked =
        HttpRequest.newBuilder(URI.create(base + "/hooks/shop"))
            .header("X-GitHub-Event", "push")
            .header("X-GitHub-Delivery", "d-6")
            .header("X-Hub-Signature-256", sign(big))
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
            .build();
    assertThat(send(chunked)).isEqualTo(413);
    String metrics = get("/metrics", null).body();
    assertThat(metrics)
        .contains(
            "hoist_webhook_rejections_total{project=\"shop\",reason=\"signature\"} 1",
            "hoist_webhook_rejections_total{project=\"_unknown\",reason=\"unknown_project\"} 1",
            "hoist_webhook_rejections_total{project=\"shop\",reason=\"malformed\"} 1",
            "hoist_webhook_rejections_total{project=\"shop\",reason=\"too_large\"} 2");
    assertThat(log).anyMatch(l -> l.contains("refused") && l.contains("401"));
    assertThat(String.join("\n", log)).doesNotContain(SECRET);
    assertThat(ran).isEmpty();
  }

  @Test
  void aRepeatedDeliveryAndAPingAreAnswered200AndDeployNothingMore() throws Exception {
    assertThat(hook(push(), "d-7", "push").statusCode()).isEqualTo(202);
    assertThat(hook(push(), "d-7", "push").statusCode()).isEqualTo(200);
    byte[] ping = resource("ping.json");
    assertThat(send(webhook("/hooks/shop", ping, "d-8", "ping", sign(ping)))).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 1);
  }

  @Test
  void theApiWantsATokenWithTheRightScope() throws Exception {
    assertThat(get("/api/projects", null).statusCode()).isEqualTo(401);
    assertThat(get("/api/projects", "hoist_" + "A".repeat(43)).statusCode()).isEqualTo(401);
    assertThat(post("/api/projects/shop/deploy", "{}", readToken).statusCode()).isEqualTo(403);
    assertThat(post("/api/projects/nope/deploy", "{}", deployToken).statusCode()).isEqualTo(404);
    assertThat(post("/api/projects/shop/deploy", "{\"commit\": \"abc\"}", deployToken).statusCode())
        .isEqualTo(400);
    assertThat(post("/api/projects/shop/deploy", "{not json", deployToken).statusCode())
        .isEqualTo(400);
    assertThat(get("/api/deploys/999", readToken).statusCode()).isEqualTo(404);
    assertThat(get("/api/deploys?limit=0", readToken).statusCode()).isEqualTo(400);
    HttpResponse<String> error = get("/api/deploys/x", readToken);
    assertThat(JSON.readTree(error.body()).get("fix").asText()).isNotBlank();

    String commit = "a".repeat(40);
    HttpResponse<String> asked =
        post("/api/projects/shop/deploy", "{\"commit\": \"" + commit + "\"}", deployToken);
    assertThat(asked.statusCode()).isEqualTo(202);
    long id = JSON.readTree(asked.body()).get("id").asLong();
    assertThat(awaitEnded(id).get("trigger").asText()).isEqualTo("api token ci");

    HttpResponse<String> back = post("/api/projects/shop/rollback", "", deployToken);
    assertThat(back.statusCode()).isEqualTo(202);
    JsonNode rollback = awaitEnded(JSON.readTree(back.body()).get("id").asLong());
    assertThat(rollback.get("kind").asText()).isEqualTo("rollback");
    assertThat(rollback.get("status").asText()).isEqualTo("succeeded");

    JsonNode list = JSON.readTree(get("/api/deploys?project=shop&limit=5", readToken).body());
    assertThat(list.get("deploys")).hasSize(2);
    assertThat(list.get("deploys").get(0).get("kind").asText()).isEqualTo("rollback");
  }

  @Test
  void theLogStreamsLiveAndResumesAfterTheLastEventId() throws Exception {
    hold = new CountDownLatch(1);
    long id = JSON.readTree(hook(push(), "d-9", "push").body()).get("id").asLong();
    HttpRequest sse =
        HttpRequest.newBuilder(URI.create(base + "/api/deploys/" + id + "/log"))
            .header("Authorization", "Bearer " + readToken)
            .header("Accept", "text/event-stream")
            .build();
    HttpResponse<InputStream> stream = http.send(sse, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    List<String> seen = new ArrayList<>();
    try (BufferedReader events =
        new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      readUntil(events, seen, "fetch took 12 ms");
      assertThat(seen).noneMatch(l -> l.startsWith("event: end"));
      hold.countDown(); // the deploy goes on while the stream is open
      readUntil(events, seen, "event: end");
      assertThat(events.readLine()).startsWith("data: {\"id\":" + id).contains("\"succeeded\"");
    }
    assertThat(seen).contains("id: 1", "event: line");
    // Resuming after line 2 sends line 3 on, then the end.
    HttpRequest resumed =
        HttpRequest.newBuilder(URI.create(base + "/api/deploys/" + id + "/log"))
            .header("Authorization", "Bearer " + readToken)
            .header("Accept", "text/event-stream")
            .header("Last-Event-ID", "2")
            .build();
    String rest = http.send(resumed, HttpResponse.BodyHandlers.ofString()).body();
    assertThat(rest).startsWith("id: 3\n").contains("event: end").doesNotContain("id: 2\n");
  }

  @Test
  void metricsCountDeploysByResultAndTheirDurations() throws Exception {
    failWith = "exit 1 from npm run build";
    long id = JSON.readTree(hook(push(), "d-10", "push").body()).get("id").asLong();
    JsonNode failed = awaitEnded(id);
    assertThat(failed.get("status").asText()).isEqualTo("failed");
    assertThat(failed.get("error").asText()).isEqualTo("build failed: exit 1 from npm run build");
    String metrics = get("/metrics", null).body();
    assertThat(metrics)
        .contains(
            "# TYPE hoist_deploys_total counter",
            "hoist_deploys_total{project=\"shop\",result=\"failed\"} 1",
            "hoist_deploy_duration_seconds_count 1",
            "hoist_deploy_duration_seconds_bucket{le=\"+Inf\"} 1",
            "hoist_queue_length{project=\"shop\"} 0");
  }

  @Test
  void theServerMakesItsLocalTokenWithDeployScope() throws Exception {
    Path file = dir.resolve("data").resolve(ServerMain.LOCAL_TOKEN_FILE);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    String local = Files.readString(file).trim();
    assertThat(post("/api/projects/shop/deploy", "{}", local).statusCode()).isEqualTo(202);
  }

  private JsonNode awaitEnded(long id) throws Exception {
    JsonNode[] last = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              last[0] = JSON.readTree(get("/api/deploys/" + id, readToken).body());
              String status = last[0].get("status").asText();
              return !status.equals("queued") && !status.equals("running");
            });
    return last[0];
  }

  private static void readUntil(BufferedReader events, List<String> seen, String wanted)
      throws IOException {
    for (int i = 0; i < 200; i++) {
      String line = events.readLine();
      if (line == null) {
        throw new AssertionError("the stream ended before '" + wanted + "': " + seen);
      }
      seen.add(line);
      if (line.contains(wanted)) {
        return;
      }
    }
    throw new AssertionError("no '" + wanted + "' in " + seen);
  }

  private static byte[] push() throws IOException {
    return resource("push-with-new-branch.json");
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in =
        HttpServerTest.class.getResourceAsStream("/dev/hoist/server/hooks/octokit/" + name)) {
      return in.readAllBytes();
    }
  }

  private static String sign(byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
  }

  private HttpResponse<String> hook(byte[] body, String delivery, String event) throws Exception {
    return http.send(
        webhook("/hooks/shop", body, delivery, event, sign(body)),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest webhook(String path, byte[] body, String delivery, String event, String sig) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .header("X-GitHub-Event", event)
        .header("X-GitHub-Delivery", delivery)
        .header("X-Hub-Signature-256", sig)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  private int send(HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
