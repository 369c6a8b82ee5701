package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Load against an in-process server on 127.0.0.1; tolerances are wide, for a busy two-core machine.
 */
class LoadTest {
  private HttpServer server;
  private ExecutorService handlers;
  private final AtomicLong served = new AtomicLong();
  private final Set<String> hosts = ConcurrentHashMap.newKeySet();
  private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
  private volatile int status = 200;
  private volatile long delayMs;
  private volatile CountDownLatch gate = new CountDownLatch(0);

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            hosts.add(exchange.getRequestHeaders().getFirst("Host"));
            clientPorts.add(exchange.getRemoteAddress().getPort());
            gate.await();
            Thread.sleep(delayMs);
            // Two revisions, with the whitespace a real page has around them.
            byte[] body =
                (served.getAndIncrement() % 2 == 0 ? "old\n" : "  new \n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    // One thread per request: the default runs handlers one at a time, and a slow one would queue
    // the rest.
    handlers = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(handlers);
    server.start();
  }

  @AfterEach
  void shut() {
    gate.countDown();
    server.stop(0);
    handlers.close();
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /**
   * Waits (up to 5 s) until {@code n} requests are answered, then a little longer so any extra
   * would show.
   */
  private static Load.Result finish(Load load, long n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (load.snapshot().total() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(200);
    return load.stop();
  }

  @Test
  void countsAnswersAndBodiesAtAConstantRate() throws Exception {
    Load load = Load.start(url(), "app.test", 100, Duration.ofSeconds(10), 10_000);
    Thread.sleep(1000);
    Load.Result r = load.stop();

    assertThat(r.total()).as(r.summary()).isBetween(70L, 130L);
    assertThat(r.failed()).as(r.summary()).isZero();
    assertThat(r.statuses()).as(r.summary()).isEqualTo(Map.of("200", r.total()));
    assertThat(r.bodies().keySet()).as(r.summary()).isSubsetOf("old", "new");
    assertThat(r.bodies().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(r.total());
    assertThat(r.perSecond()).as(r.summary()).isBetween(70.0, 130.0);
    assertThat(r.firstFailures()).isEmpty();
    assertThat(load.stop()).as("stop again").isEqualTo(r);
  }

  @Test
  void sendsTheHostHeaderOnKeptAliveConnections() throws Exception {
    Load.Result r = finish(Load.start(url(), "app.test", 50, Duration.ofSeconds(5), 20), 20);

    assertThat(r.total()).as(r.summary()).isEqualTo(20);
    assertThat(hosts).containsExactly("app.test");
    // A new connection per request would show one client port each.
    assertThat(clientPorts.size()).as("client ports of 20 requests").isLessThan(20);
  }

  @Test
  void countsServerErrorsAsFailures() throws Exception {
    status = 500;
    Load.Result r = finish(Load.start(url(), "app.test", 50, Duration.ofSeconds(5), 10), 10);

    assertThat(r.total()).as(r.summary()).isEqualTo(10);
    assertThat(r.failed()).as(r.summary()).isEqualTo(10);
    assertThat(r.statuses()).isEqualTo(Map.of("500", 10L));
    assertThat(r.bodies()).isEmpty();
    assertThat(r.firstFailures())
        .isNotEmpty()
        .allSatisfy(f -> assertThat(f.cause()).startsWith("HTTP 500"));
    assertThat(r.summary()).contains("HTTP 500");
  }

  @Test
  void countsARefusedConnectionAsAFailure() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    Load load =
        Load.start("http://127.0.0.1:" + closed + "/", "app.test", 50, Duration.ofSeconds(5), 5);
    Load.Result r = finish(load, 5);

    assertThat(r.total()).as(r.summary()).isEqualTo(5);
    assertThat(r.failed()).as(r.summary()).isEqualTo(5);
    assertThat(r.statuses()).as(r.summary()).isEqualTo(Map.of("io:ConnectException", 5L));
    assertThat(r.firstFailures().get(0).cause()).as(r.summary()).startsWith("io:ConnectException");
  }

  @Test
  void stopsByItselfAtWhicheverBoundComesFirst() throws Exception {
    Load.Result byCount = finish(Load.start(url(), "app.test", 200, Duration.ofSeconds(10), 5), 5);
    assertThat(byCount.total()).as(byCount.summary()).isEqualTo(5);

    // 50 a second for 200 ms: slots at 0, 20, ... 180 ms.
    Load.Result byTime =
        finish(Load.start(url(), "app.test", 50, Duration.ofMillis(200), 1000), 10);
    assertThat(byTime.total()).as(byTime.summary()).isEqualTo(10);
  }

  @Test
  void measuresLatencyFromTheScheduledSendTime() throws Exception {
    delayMs = 200;
    Load.Result r = finish(Load.start(url(), "app.test", 20, Duration.ofSeconds(5), 10), 10);

    assertThat(r.failed()).as(r.summary()).isZero();
    assertThat(r.p50Ms()).as(r.summary()).isGreaterThanOrEqualTo(200.0);
    assertThat(r.p90Ms()).as(r.summary()).isBetween(r.p50Ms(), r.p99Ms());
    assertThat(r.maxMs()).as(r.summary()).isGreaterThanOrEqualTo(r.p99Ms()).isLessThan(5000.0);
  }

  @Test
  void countsRequestsBeyondTheInFlightLimitAsOverload() throws Exception {
    gate = new CountDownLatch(1);
    Load load = Load.start(url(), "app.test", 1000, Duration.ofSeconds(5), 300);
    // 256 requests wait at the server; the other 44 are refused at once, never queued.
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (load.snapshot().total() < 44 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    gate.countDown();
    Load.Result r = load.stop();

    assertThat(r.statuses()).as(r.summary()).isEqualTo(Map.of("200", 256L, "overload", 44L));
    assertThat(r.failed()).as(r.summary()).isEqualTo(44);
  }

  @Test
  void splitsOneRunIntoPhasesAtMarks() throws Exception {
    Load load = Load.start(url(), "app.test", 100, Duration.ofSeconds(5), 100);
    Thread.sleep(400);
    // Slow answers from the mark on: a phase's latency is its own.
    delayMs = 300;
    long rolloutStart = load.mark();
    Thread.sleep(300);
    long rolloutEnd = load.mark();
    delayMs = 0;
    Load.Result all = finish(load, 100);

    Load.Result rest = load.between(0, rolloutStart);
    Load.Result rollout = load.between(rolloutStart, rolloutEnd);
    Load.Result after = load.between(rolloutEnd, Long.MAX_VALUE);
    assertThat(rest.total() + rollout.total() + after.total()).as(all.summary()).isEqualTo(100);
    assertThat(rest.p50Ms()).as(rest.summary()).isLessThan(300.0);
    assertThat(rollout.p50Ms()).as(rollout.summary()).isGreaterThanOrEqualTo(300.0);
    assertThat(rest.perSecond()).as(rest.summary()).isBetween(60.0, 140.0);

    JsonNode json =
        new ObjectMapper()
            .readTree(
                load.report(Map.of("rollout-start", rolloutStart, "rollout-end", rolloutEnd)));
    assertThat(json.get("total").asLong()).isEqualTo(100);
    assertThat(json.get("marks").get("rollout-start").asLong()).isEqualTo(rolloutStart / 1_000_000);
    assertThat(json.get("phases").fieldNames())
        .toIterable()
        .containsExactly("rest", "rollout", "after");
    assertThat(json.get("phases").get("rollout").get("total").asLong()).isEqualTo(rollout.total());
    assertThat(new ObjectMapper().readTree(all.toJson()).get("statuses").get("200").asLong())
        .isEqualTo(100);
  }

  @Test
  void refusesTargetsOutsideLoopbackAndTheLab() {
    assertThatThrownBy(
            () -> Load.start("http://192.0.2.1/", "app.test", 1, Duration.ofSeconds(1), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loopback");
    assertThatThrownBy(() -> Load.start(url(), "app.test", 1, Duration.ZERO, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
