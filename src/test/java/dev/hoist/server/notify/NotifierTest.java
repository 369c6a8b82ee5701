package dev.hoist.server.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.hoist.server.ProjectConfig;
import dev.hoist.server.ProjectConfig.Notify;
import dev.hoist.server.ProjectConfig.Notify.Format;
import dev.hoist.server.hooks.HookRules;
import dev.hoist.server.hooks.Provider;
import dev.hoist.server.hooks.WebhookSecret;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NotifierTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Notifier.Finished DONE =
      new Notifier.Finished(
          12,
          "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d",
          "succeeded",
          Duration.ofSeconds(41),
          URI.create("http://127.0.0.1:7500/#/deploys/12"));

  record Received(String path, String contentType, JsonNode body) {}

  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpServer server;
  private HttpClient http;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          byte[] body = exchange.getRequestBody().readAllBytes();
          received.add(
              new Received(
                  path,
                  exchange.getRequestHeaders().getFirst("Content-Type"),
                  JSON.readTree(body)));
          if (path.startsWith("/slow")) {
            awaitRelease();
          }
          int status = path.startsWith("/broken") ? 500 : path.startsWith("/moved") ? 302 : 200;
          if (status == 302) {
            exchange.getResponseHeaders().add("Location", "/elsewhere");
          }
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
    http = Notifier.client();
  }

  private void awaitRelease() {
    try {
      release.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
    http.close();
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private static ProjectConfig project(Notify... targets) {
    return new ProjectConfig(
        "shop",
        "/srv/git/shop.git",
        "main",
        Optional.empty(),
        new HookRules(Provider.GITHUB, Optional.of(WebhookSecret.of("s3cret")), "main", List.of()),
        List.of(targets),
        Optional.of(Path.of("/etc/hoist-server/shop.secret")));
  }

  @Test
  void postsHoistsJsonObject() throws Exception {
    List<String> failures =
        new Notifier(http).tell(project(new Notify(url("/deployed"), Format.JSON)), DONE);

    assertThat(failures).isEmpty();
    Received got = received.poll(5, TimeUnit.SECONDS);
    assertThat(got.path()).isEqualTo("/deployed");
    assertThat(got.contentType()).isEqualTo("application/json");
    JsonNode body = got.body();
    assertThat(body.get("project").asText()).isEqualTo("shop");
    assertThat(body.get("id").asLong()).isEqualTo(12);
    assertThat(body.get("commit").asText()).isEqualTo(DONE.commit());
    assertThat(body.get("status").asText()).isEqualTo("succeeded");
    assertThat(body.get("duration_ms").asLong()).isEqualTo(41_000);
    assertThat(body.get("link").asText()).isEqualTo("http://127.0.0.1:7500/#/deploys/12");
    assertThat(body.get("text").asText())
        .isEqualTo("shop: deploy 12 of 1a2b3c4d5e6f succeeded in 41 s " + DONE.link());
  }

  @Test
  void postsSlacksAndDiscordsShapes() throws Exception {
    List<String> failures =
        new Notifier(http)
            .tell(
                project(
                    new Notify(url("/slack"), Format.SLACK),
                    new Notify(url("/discord"), Format.DISCORD)),
                DONE);

    assertThat(failures).isEmpty();
    Received first = received.poll(5, TimeUnit.SECONDS);
    Received second = received.poll(5, TimeUnit.SECONDS);
    Received slack = first.path().equals("/slack") ? first : second;
    Received discord = first.path().equals("/slack") ? second : first;
    // Slack incoming webhooks: {"text": ...} with <url|label> links.
    assertThat(slack.body().size()).isEqualTo(1);
    assertThat(slack.body().get("text").asText())
        .isEqualTo(
            "shop: deploy 12 of 1a2b3c4d5e6f succeeded in 41 s <" + DONE.link() + "|details>");
    // Discord webhooks: {"content": ...}; no mention may ping anyone.
    assertThat(discord.body().get("content").asText())
        .isEqualTo("shop: deploy 12 of 1a2b3c4d5e6f succeeded in 41 s " + DONE.link());
    assertThat(discord.body().get("allowed_mentions").get("parse").isEmpty()).isTrue();
  }

  @Test
  void aFailedDeployWithoutLinkOrDurationStillTells() throws Exception {
    Notifier.Finished failed = new Notifier.Finished(3, null, "failed", null, null);

    assertThat(new Notifier(http).tell(project(new Notify(url("/j"), Format.JSON)), failed))
        .isEmpty();

    JsonNode body = received.poll(5, TimeUnit.SECONDS).body();
    assertThat(body.get("status").asText()).isEqualTo("failed");
    assertThat(body.get("commit").isNull()).isTrue();
    assertThat(body.get("duration_ms").isNull()).isTrue();
    assertThat(body.get("link").isNull()).isTrue();
    assertThat(body.get("text").asText()).isEqualTo("shop: deploy 3 of the branch head failed");
  }

  @Test
  void slackMarkupInTheTextIsEscaped() {
    Notifier.Finished odd =
        new Notifier.Finished(1, "abc", "failed", null, URI.create("http://h/a?b=1&c=2"));

    assertThat(Notifier.sentence("shop", odd, true))
        .isEqualTo("shop: deploy 1 of abc failed <http://h/a?b=1&amp;c=2|details>");
  }

  @Test
  void failuresAreReturnedWithoutTheSecretPartOfTheUrl() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    List<String> failures =
        new Notifier(http)
            .tell(
                project(
                    new Notify(url("/broken/T000/B000/XXXXSECRET"), Format.SLACK),
                    new Notify(url("/moved/hook-token"), Format.JSON),
                    new Notify(
                        URI.create("http://127.0.0.1:" + closed + "/api/webhooks/1/TOKEN"),
                        Format.DISCORD),
                    new Notify(url("/fine"), Format.JSON)),
                DONE);

    String port = ":" + server.getAddress().getPort();
    assertThat(failures)
        .containsExactly(
            "notify http://127.0.0.1" + port + " (slack): answered HTTP 500",
            "notify http://127.0.0.1" + port + " (json): answered HTTP 302",
            "notify http://127.0.0.1:" + closed + " (discord): connection refused or unreachable");
    assertThat(String.join("\n", failures)).doesNotContain("SECRET", "token", "TOKEN");
  }

  @Test
  void aTargetThatNeverAnswersCostsOneBoundedWait() throws Exception {
    Notifier notifier = new Notifier(http, Duration.ofMillis(500));
    long start = System.nanoTime();

    List<String> failures =
        notifier.tell(
            project(
                new Notify(url("/slow/one"), Format.JSON),
                new Notify(url("/slow/two"), Format.JSON),
                new Notify(url("/fine"), Format.JSON)),
            DONE);

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(failures).hasSize(2).allMatch(f -> f.contains("no answer"));
    // Told at once: two silent targets wait one timeout together, not one each.
    assertThat(took).isLessThan(Duration.ofMillis(950));
  }

  @Test
  void noTargetsNoRequests() throws Exception {
    assertThat(new Notifier(http).tell(project(), DONE)).isEmpty();
    assertThat(received.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }
}
