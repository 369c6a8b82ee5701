package dev.hoist.it;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A bounded, constant-rate load of HTTP GETs to loopback or a lab node, counting every answer and
 * its latency.
 */
final class Load {
  /**
   * The requests scheduled in a window: how many, how many failed (not 2xx, an IO error, a timeout,
   * or never sent), counts by status ({@code "200"}, {@code "io:ConnectException"}, {@code
   * "overload"}), 2xx bodies (trimmed, 80 chars) by count, latency from each request's scheduled
   * send time, the rate achieved, and the first failures.
   */
  record Result(
      long total,
      long failed,
      Map<String, Long> statuses,
      Map<String, Long> bodies,
      double p50Ms,
      double p90Ms,
      double p99Ms,
      double maxMs,
      double perSecond,
      List<Failure> firstFailures) {
    /** One line for an assertion message. */
    String summary() {
      return total
          + " requests, "
          + failed
          + " failed, "
          + perSecond
          + "/s; latency ms p50 "
          + p50Ms
          + " p90 "
          + p90Ms
          + " p99 "
          + p99Ms
          + " max "
          + maxMs
          + "; statuses "
          + statuses
          + "; bodies "
          + bodies
          + (firstFailures.isEmpty() ? "" : "; first failures " + firstFailures);
    }

    String toJson() {
      try {
        return JSON.writeValueAsString(this);
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A failed request: when it was scheduled (ms since the start) and why it failed. */
  record Failure(long atMs, String cause) {
    @Override
    public String toString() {
      return "+" + atMs + " ms " + cause;
    }
  }

  /**
   * One request: scheduled offset and latency in ns (latency -1: never sent), status key, 2xx body
   * or failure.
   */
  private record Sample(long offset, long latency, String status, String body, String cause) {}

  // A server that stops answering would otherwise pile up requests (and threads) without end.
  private static final int MAX_IN_FLIGHT = 256;
  private static final int FIRST_FAILURES = 5;
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // java.net.http refuses to set Host unless this property names it, and reads it once, when its
    // first client
    // or request is built; so set it here, before that (a -D on the command line wins).
    if (System.getProperty("jdk.httpclient.allowRestrictedHeaders") == null) {
      System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    }
    // The JDK client silently retries a refused connection once; a refused connection is a dropped
    // request here.
    if (System.getProperty("jdk.httpclient.disableRetryConnect") == null) {
      System.setProperty("jdk.httpclient.disableRetryConnect", "true");
    }
  }

  private final HttpClient client;
  private final HttpRequest request;
  private final int perSecond;
  private final long maxNanos;
  private final int maxRequests;
  private final long start = System.nanoTime();
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  // Requests sent and not yet answered, by index: whoever removes one (its answer, or stop) records
  // it, once.
  private final Map<Long, Long> pending = new ConcurrentHashMap<>();
  private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
  private final Thread scheduler;
  private volatile boolean stopping;
  private volatile long end = -1;
  private Result stopped;

  private Load(
      HttpClient client,
      HttpRequest request,
      int perSecond,
      Duration maxDuration,
      int maxRequests) {
    this.client = client;
    this.request = request;
    this.perSecond = perSecond;
    this.maxNanos = maxDuration.toNanos();
    this.maxRequests = maxRequests;
    // A platform thread: it only sleeps to the next slot, and should not share carriers with the
    // requests.
    this.scheduler = Thread.ofPlatform().daemon().name("load-scheduler").unstarted(this::schedule);
  }

  /**
   * Starts {@code perSecond} GETs of {@code url} a second with Host {@code hostHeader}, each sent
   * on schedule on its own virtual thread whether or not earlier ones have answered; stops by
   * itself after {@code maxDuration} or {@code maxRequests}, whichever comes first.
   */
  static Load start(
      String url, String hostHeader, int perSecond, Duration maxDuration, int maxRequests) {
    if (perSecond <= 0
        || maxRequests <= 0
        || maxDuration == null
        || maxDuration.isNegative()
        || maxDuration.isZero()) {
      throw new IllegalArgumentException("Load needs a positive rate, duration and request count");
    }
    URI uri = URI.create(url);
    checkTarget(uri);
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(uri)
              .GET()
              .header("Host", hostHeader)
              .timeout(Duration.ofSeconds(5))
              .build();
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "java.net.http refused the Host header: something in this JVM used it before"
              + " Load was loaded; run with -Djdk.httpclient.allowRestrictedHeaders=host",
          e);
    }
    // HTTP/1.1 with the client's pool of kept-alive connections, as a browser would use a load
    // balancer. A GET on a
    // pooled connection the server closed before answering is retried once, as browsers do too.
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    Load load = new Load(client, request, perSecond, maxDuration, maxRequests);
    load.scheduler.start();
    return load;
  }

  /** Now, on the clock {@link #between} takes: nanoseconds since the start. */
  long mark() {
    return System.nanoTime() - start;
  }

  /** The requests answered so far, without stopping. */
  Result snapshot() {
    return between(0, Long.MAX_VALUE);
  }

  /**
   * The answered requests scheduled in [{@code fromNanos}, {@code toNanos}), on {@link #mark}'s
   * clock.
   */
  Result between(long fromNanos, long toNanos) {
    List<Sample> in;
    synchronized (samples) {
      in =
          samples.stream()
              .filter(s -> s.offset() >= fromNanos && s.offset() < toNanos)
              .sorted(Comparator.comparingLong(Sample::offset))
              .toList();
    }
    Map<String, Long> statuses = new TreeMap<>();
    Map<String, Long> bodies = new TreeMap<>();
    List<Failure> failures = new ArrayList<>();
    long failed = 0;
    for (Sample s : in) {
      statuses.merge(s.status(), 1L, Long::sum);
      if (s.body() != null) {
        bodies.merge(s.body(), 1L, Long::sum);
      } else {
        failed++;
        if (failures.size() < FIRST_FAILURES) {
          failures.add(new Failure(s.offset() / 1_000_000, s.cause()));
        }
      }
    }
    // Requests never sent (overload) have no latency; timeouts and errors count with the wait they
    // caused.
    long[] latencies =
        in.stream().mapToLong(Sample::latency).filter(l -> l >= 0).sorted().toArray();
    long issuedUntil = end >= 0 ? end : mark();
    double seconds = (Math.min(toNanos, issuedUntil) - Math.max(fromNanos, 0)) / 1e9;
    return new Result(
        in.size(),
        failed,
        Collections.unmodifiableMap(statuses),
        Collections.unmodifiableMap(bodies),
        millis(percentile(latencies, 0.50)),
        millis(percentile(latencies, 0.90)),
        millis(percentile(latencies, 0.99)),
        millis(percentile(latencies, 1.0)),
        seconds > 0 ? Math.round(in.size() / seconds * 10) / 10.0 : 0,
        List.copyOf(failures));
  }

  /**
   * Stops sending, waits up to 10 s for answers (a request times out after 5 s), and returns the
   * whole run.
   */
  synchronized Result stop() {
    if (stopped == null) {
      stopping = true;
      LockSupport.unpark(scheduler);
      try {
        scheduler.join(Duration.ofSeconds(5));
        if (inFlight.tryAcquire(MAX_IN_FLIGHT, 10, TimeUnit.SECONDS)) {
          inFlight.release(MAX_IN_FLIGHT);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // Whatever is still unanswered failed; an answer arriving later is ignored.
      pending.forEach(
          (i, offset) -> {
            if (pending.remove(i) != null) {
              samples.add(
                  new Sample(
                      offset,
                      mark() - offset,
                      "unfinished",
                      null,
                      "unfinished: no answer when stopped"));
            }
          });
      client.shutdownNow();
      stopped = snapshot();
    }
    return stopped;
  }

  private void schedule() {
    long next = 0;
    for (long i = 0; ; i++) {
      // From the start, not from the last send: no drift, and a late scheduler catches up with its
      // backlog.
      next = i * 1_000_000_000L / perSecond;
      if (i >= maxRequests || next >= maxNanos) {
        break;
      }
      while (!stopping && mark() < next) {
        LockSupport.parkNanos(next - mark());
      }
      if (stopping) {
        next = Math.min(next, mark());
        break;
      }
      send(i, next);
    }
    end = Math.min(next, maxNanos);
  }

  private void send(long i, long offset) {
    if (!inFlight.tryAcquire()) {
      samples.add(
          new Sample(
              offset, -1, "overload", null, "overload: " + MAX_IN_FLIGHT + " requests in flight"));
      return;
    }
    pending.put(i, offset);
    Thread.ofVirtual()
        .name("load-" + i)
        .start(
            () -> {
              try {
                answer(i, offset);
              } finally {
                inFlight.release();
              }
            });
  }

  private void answer(long i, long offset) {
    String status;
    String body = null;
    String cause = null;
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      status = Integer.toString(response.statusCode());
      String text = response.body().strip();
      text = text.substring(0, Math.min(80, text.length()));
      if (response.statusCode() / 100 == 2) {
        body = text;
      } else {
        cause = "HTTP " + status + (text.isEmpty() ? "" : ": " + text);
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      status = "io:" + e.getClass().getSimpleName();
      cause = describe(e);
    }
    long latency = mark() - offset;
    if (pending.remove(i) != null) {
      samples.add(new Sample(offset, latency, status, body, cause));
    }
  }

  /** Refuses any target but loopback and the lab's private network: this is a load generator. */
  private static void checkTarget(URI uri) {
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("Load needs an http://host[:port]/path URL, not " + uri);
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(uri.getHost());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("Load cannot resolve " + uri.getHost(), e);
    }
    byte[] a = address.getAddress();
    boolean lab = a.length == 4 && a[0] == 10 && (a[1] & 0xff) == 213 && a[2] == 77;
    if (!address.isLoopbackAddress() && !lab) {
      throw new IllegalArgumentException(
          "Load sends only to loopback or the lab's 10.213.77.x, not " + address);
    }
  }

  private static String describe(Throwable e) {
    // The client's ConnectException often has no message of its own; its cause says "Connection
    // refused".
    Throwable t = e;
    while (t.getMessage() == null && t.getCause() != null) {
      t = t.getCause();
    }
    return "io:"
        + e.getClass().getSimpleName()
        + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  private static long percentile(long[] sorted, double q) {
    return sorted.length == 0 ? 0 : sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 100_000.0) / 10.0;
  }

  /**
   * The benchmark: {@code Load URL HOST RATE SECONDS} sends RATE GETs a second for SECONDS and
   * prints the result as JSON. Each line {@code mark NAME} on stdin marks the time; the JSON then
   * has the marks (ms since the start) and phases between them: "rest" before the first mark, then
   * one named after each mark ("-start" dropped; a "-end" mark opens "after"), so marks
   * rollout-start and rollout-end give phases rest, rollout and after.
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: Load URL HOST RATE SECONDS   (stdin: lines 'mark NAME')");
      System.exit(2);
    }
    int rate = Integer.parseInt(args[2]);
    int seconds = Integer.parseInt(args[3]);
    Load load =
        start(
            args[0], args[1], rate, Duration.ofSeconds(seconds), Math.multiplyExact(rate, seconds));
    Map<String, Long> marks = Collections.synchronizedMap(new LinkedHashMap<>());
    Thread.ofPlatform()
        .daemon()
        .name("load-marks")
        .start(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  if (line.strip().startsWith("mark ") && !line.strip().substring(5).isBlank()) {
                    marks.put(line.strip().substring(5).strip(), load.mark());
                  } else if (!line.isBlank()) {
                    System.err.println("Load: ignored '" + line + "' (expected 'mark NAME')");
                  }
                }
              } catch (IOException e) {
                System.err.println("Load: stdin: " + e);
              }
            });
    load.scheduler.join();
    load.stop();
    synchronized (marks) {
      System.out.println(load.report(marks));
    }
  }

  /**
   * The whole run as JSON, with {@code marks} (ms since the start) and the phases between them (see
   * main).
   */
  String report(Map<String, Long> marks) {
    ObjectNode root = JSON.valueToTree(stop());
    ObjectNode marksJson = root.putObject("marks");
    ObjectNode phases = root.putObject("phases");
    List<Map.Entry<String, Long>> sorted =
        marks.entrySet().stream().sorted(Map.Entry.comparingByValue()).toList();
    long from = 0;
    String phase = "rest";
    for (Map.Entry<String, Long> m : sorted) {
      marksJson.put(m.getKey(), m.getValue() / 1_000_000);
      phases.set(phase, JSON.valueToTree(between(from, m.getValue())));
      from = m.getValue();
      String mark = m.getKey();
      phase =
          mark.endsWith("-start")
              ? mark.substring(0, mark.length() - 6)
              : mark.endsWith("-end") ? "after" : mark;
      // Marks such as a-end and b-end would both open "after": number the later ones.
      phase = phases.has(phase) ? phase + "-" + (phases.size() + 1) : phase;
    }
    if (!sorted.isEmpty()) {
      phases.set(phase, JSON.valueToTree(between(from, Long.MAX_VALUE)));
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
