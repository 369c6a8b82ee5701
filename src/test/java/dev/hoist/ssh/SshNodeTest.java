package dev.hoist.ssh;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hoist.node.ExecRequest;
import dev.hoist.node.ExecResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.ConnectionServiceRequestHandler;
import org.apache.sshd.server.channel.ChannelSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshNodeTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();
  private TestSshServer server;
  private SshNodes ssh;
  private Path key;

  @BeforeEach
  void start() throws Exception {
    server = TestSshServer.start(this::script);
    KeyPair user = TestSshServer.ed25519();
    server.authorized.add(user.getPublic());
    key = TestSshServer.writeKey(user, dir.resolve("id_ed25519"), null);
    ssh = SshNodes.start(new SshSettings(Passphrases.NONE, null));
  }

  @AfterEach
  void stop() throws Exception {
    ssh.close();
    server.close();
  }

  /** The fake remote side: a few commands, enough to exercise the transport. */
  private int script(
      String command, InputStream in, OutputStream out, OutputStream err, ChannelSession channel)
      throws Exception {
    String[] words = command.split(" ");
    switch (words[0]) {
      case "cat" -> in.transferTo(out);
      case "sha256" ->
          out.write(
              (hex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes())) + "\n")
                  .getBytes(UTF_8));
      case "echo-command" -> out.write((command + "\n").getBytes(UTF_8));
      case "fail" -> {
        err.write("boom\n".getBytes(UTF_8));
        return Integer.parseInt(words[1]);
      }
      case "sleep" -> {
        int now = inFlight.incrementAndGet();
        mostInFlight.accumulateAndGet(now, Math::max);
        Thread.sleep(Long.parseLong(words[1]));
        inFlight.decrementAndGet();
      }
      case "sudo" -> {
        err.write("sudo: a password is required\n".getBytes(UTF_8));
        return 1;
      }
      case "drop" -> {
        out.write("partial\n".getBytes(UTF_8));
        out.flush();
        channel.getSession().close(true);
        Thread.sleep(5000);
      }
      default -> {
        return 127;
      }
    }
    return 0;
  }

  private SshNode node() throws Exception {
    server.trustIn(dir.resolve("known_hosts"));
    return ssh.node(server.target("web1", dir, key));
  }

  private static ExecRequest request(List<String> argv, byte[] stdin, Consumer<String> onLine) {
    return new ExecRequest(argv, stdin, TIMEOUT, onLine);
  }

  @Test
  void streamsMegabytesOfStdinIntact() throws Exception {
    byte[] payload = new byte[3 * 1024 * 1024];
    new Random(7).nextBytes(payload);
    ExecResult result = node().exec(request(List.of("sha256"), payload, null));
    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout().strip())
        .isEqualTo(hex(MessageDigest.getInstance("SHA-256").digest(payload)));
  }

  @Test
  void handsOnEveryStdoutLineAndKeepsTheWholeOutput() throws Exception {
    List<String> lines = new ArrayList<>();
    ExecResult result =
        node().exec(request(List.of("cat"), "one\ntwo\nthree".getBytes(UTF_8), lines::add));
    assertThat(lines).containsExactly("one", "two", "three");
    assertThat(result.stdout()).isEqualTo("one\ntwo\nthree\n");
  }

  @Test
  void returnsExitCodeAndStderr() throws Exception {
    ExecResult result = node().exec(ExecRequest.of(List.of("fail", "3"), TIMEOUT));
    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.stderr()).isEqualTo("boom\n");
  }

  @Test
  void sendsArgvQuotedForShAndRootNeedsNoSudo() throws Exception {
    ExecResult result =
        node().exec(ExecRequest.of(List.of("echo-command", "a b", "$HOME", "it's"), TIMEOUT));
    assertThat(result.stdout()).isEqualTo("echo-command 'a b' '$HOME' 'it'\\''s'\n");
  }

  @Test
  void runsThroughSudoWhenNotRootAndSaysWhenSudoWantsAPassword() throws Exception {
    server.trustIn(dir.resolve("known_hosts"));
    SshNode node = ssh.node(server.target("web1", dir, key).withUser("deploy"));
    assertThat(node.commandLine(List.of("id", "-u"))).isEqualTo("sudo -n -- id -u");
    assertThatThrownBy(() -> node.exec(ExecRequest.of(List.of("id"), TIMEOUT)))
        .isInstanceOfSatisfying(
            SshException.class,
            e -> assertThat(e.kind()).isEqualTo(SshException.Kind.SUDO_PASSWORD))
        .hasMessage(
            "web1: sudo on web1 asks for a password; give deploy passwordless sudo"
                + " (a line in /etc/sudoers.d) or connect as root");
  }

  @Test
  void usesOneConnectionForManyCommands() throws Exception {
    SshNode node = node();
    for (int i = 0; i < 20; i++) {
      assertThat(node.exec(ExecRequest.of(List.of("cat"), TIMEOUT)).ok()).isTrue();
    }
    assertThat(server.server.getActiveSessions()).hasSize(1);
  }

  @Test
  void keepsAtMostSixChannelsInFlight() throws Exception {
    SshNode node = node();
    runConcurrently(node, 20);
    assertThat(mostInFlight.get()).isEqualTo(SshNode.MAX_CHANNELS);
  }

  @Test
  void retriesChannelsTheServerRefuses() throws Exception {
    // Like OpenSSH's MaxSessions, but lower than Hoist's own limit: some opens are refused.
    AtomicInteger refused = server.refuseChannelsBeyond(2);
    SshNode node = node();
    runConcurrently(node, 12);
    assertThat(refused.get()).isPositive();
    assertThat(mostInFlight.get()).isLessThanOrEqualTo(2);
  }

  private void runConcurrently(SshNode node, int commands) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(commands);
    try {
      List<Future<ExecResult>> results = new ArrayList<>();
      for (int i = 0; i < commands; i++) {
        results.add(pool.submit(() -> node.exec(ExecRequest.of(List.of("sleep", "100"), TIMEOUT))));
      }
      for (Future<ExecResult> result : results) {
        assertThat(result.get(30, TimeUnit.SECONDS).exitCode()).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void timesOutAndFreesTheChannel() throws Exception {
    SshNode node = node();
    long start = System.nanoTime();
    assertThatThrownBy(
            () -> node.exec(ExecRequest.of(List.of("sleep", "10000"), Duration.ofMillis(300))))
        .isInstanceOfSatisfying(
            SshException.class, e -> assertThat(e.kind()).isEqualTo(SshException.Kind.TIMEOUT))
        .hasMessageStartingWith("web1: timed out after 300ms: sleep");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(node.exec(ExecRequest.of(List.of("cat"), TIMEOUT)).ok()).isTrue();
  }

  @Test
  void reportsAConnectionDroppedMidCommandAndReconnectsAfter() throws Exception {
    SshNode node = node();
    List<String> lines = new ArrayList<>();
    assertThatThrownBy(() -> node.exec(request(List.of("drop"), null, lines::add)))
        .isInstanceOfSatisfying(
            SshException.class,
            e -> assertThat(e.kind()).isEqualTo(SshException.Kind.CONNECTION_LOST))
        .hasMessageStartingWith("web1: the SSH connection dropped");
    assertThat(node.exec(ExecRequest.of(List.of("cat"), TIMEOUT)).ok()).isTrue();
  }

  @Test
  void streamsLinesBeforeTheCommandEnds() throws Exception {
    CountDownLatch firstSeen = new CountDownLatch(1);
    TestSshServer.Script waitsForTheClient =
        (command, in, out, err, channel) -> {
          out.write("first\n".getBytes(UTF_8));
          out.flush();
          // The client sees the first line only if it is streamed, not buffered until exit.
          return firstSeen.await(10, TimeUnit.SECONDS) ? 0 : 1;
        };
    try (TestSshServer streaming = TestSshServer.start(waitsForTheClient)) {
      streaming.authorized.add(server.authorized.get(0));
      streaming.trustIn(dir.resolve("known_hosts"));
      SshNode node = ssh.node(streaming.target("web1", dir, key));
      ExecResult result = node.exec(request(List.of("x"), null, line -> firstSeen.countDown()));
      assertThat(result.exitCode()).isZero();
    }
  }

  @Test
  void interactiveRunsAttachedToStandardStreams() throws Exception {
    SshNode node = node();
    PrintStream out = System.out;
    InputStream in = System.in;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      System.setIn(new ByteArrayInputStream("typed\n".getBytes(UTF_8)));
      assertThat(node.interactive(List.of("cat"), false)).isZero();
      assertThat(node.interactive(List.of("fail", "4"), false)).isEqualTo(4);
    } finally {
      System.setOut(out);
      System.setIn(in);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo("typed\n");
  }

  @Test
  void sendsKeepalivesAtTheTargetsInterval() throws Exception {
    List<String> requests = new CopyOnWriteArrayList<>();
    List<RequestHandler<ConnectionService>> handlers =
        new ArrayList<>(server.server.getGlobalRequestHandlers());
    handlers.add(
        0,
        (ConnectionServiceRequestHandler)
            (service, request, wantReply, buffer) -> {
              requests.add(request + (wantReply ? " (wants a reply)" : ""));
              return RequestHandler.Result.Unsupported;
            });
    server.server.setGlobalRequestHandlers(handlers);
    server.trustIn(dir.resolve("known_hosts"));
    SshNode node = ssh.node(server.target("web1", dir, key).withKeepAlive(Duration.ofMillis(200)));
    node.connect();
    await().atMost(Duration.ofSeconds(5)).until(() -> requests.size() >= 2);
    assertThat(requests.get(0)).startsWith("keepalive@").endsWith("(wants a reply)");
  }

  static String hex(byte[] bytes) {
    StringBuilder s = new StringBuilder();
    for (byte b : bytes) {
      s.append(String.format("%02x", b));
    }
    return s.toString();
  }
}
