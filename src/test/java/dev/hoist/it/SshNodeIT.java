package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.node.Agent;
import dev.hoist.node.ExecRequest;
import dev.hoist.node.ExecResult;
import dev.hoist.ssh.HostKey;
import dev.hoist.ssh.Passphrases;
import dev.hoist.ssh.SshException;
import dev.hoist.ssh.SshNode;
import dev.hoist.ssh.SshNodes;
import dev.hoist.ssh.SshSettings;
import dev.hoist.ssh.SshTarget;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SshNode against a real OpenSSH server on loopback: the agent, payloads, concurrency, PTY, keys.
 */
class SshNodeIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static OpenSsh sshd;
  static Path rootKey;
  static SshNodes ssh;

  @BeforeAll
  static void start() throws Exception {
    sshd = OpenSsh.start(dir);
    rootKey = sshd.newKey("id_ed25519", "", "-t", "ed25519");
    sshd.authorize(rootKey);
    ssh = SshNodes.start(new SshSettings(Passphrases.NONE, null));
    ssh.hostKeys().trust(target("local-sshd"), ssh.hostKeys().scan(target("local-sshd")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (ssh != null) {
      ssh.close();
    }
    if (sshd != null) {
      sshd.close();
      // Kept for a failure's post-mortem: the temp dir goes away.
      Files.writeString(Path.of("target", "sshd-it.log"), sshd.log());
    }
  }

  static SshTarget target(String name) {
    return SshTarget.of(name, "127.0.0.1")
        .withPort(sshd.port)
        .withIdentityFiles(List.of(rootKey))
        .withKnownHosts(dir.resolve("known_hosts"));
  }

  @Test
  void runsTheRealAgent() throws Exception {
    SshNode node = ssh.node(target("it1"));
    JsonNode result =
        new Agent(node)
            .call(
                Agent.request("probe").set("resources", Agent.json().createArrayNode()),
                new byte[0],
                TIMEOUT,
                e -> {});
    assertThat(result.path("ok").asBoolean()).isTrue();
    assertThat(result.path("facts").path("euid").asInt()).isZero();
  }

  @Test
  void aPayloadOfMegabytesArrivesIntact() throws Exception {
    byte[] payload = new byte[8 * 1024 * 1024];
    new Random(11).nextBytes(payload);
    ExecResult result =
        ssh.node(target("it2")).exec(new ExecRequest(List.of("sha256sum"), payload, TIMEOUT, null));
    assertThat(result.stdout().split(" ")[0])
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload)));
  }

  @Test
  void fiftySequentialAndTwentyConcurrentCommands() throws Exception {
    SshNode node = ssh.node(target("it3"));
    for (int i = 0; i < 50; i++) {
      ExecResult r = node.exec(ExecRequest.of(List.of("echo", "n" + i), TIMEOUT));
      assertThat(r.stdout()).isEqualTo("n" + i + "\n");
    }
    ExecutorService pool = Executors.newFixedThreadPool(20);
    try {
      List<Future<ExecResult>> results = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String word = "c" + i;
        results.add(
            pool.submit(
                () ->
                    node.exec(
                        ExecRequest.of(List.of("sh", "-c", "sleep 0.2; echo " + word), TIMEOUT))));
      }
      for (int i = 0; i < 20; i++) {
        assertThat(results.get(i).get().stdout()).isEqualTo("c" + i + "\n");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aTimedOutCommandLosesItsChannelAndDiesOnItsNextWrite() throws Exception {
    SshNode node = ssh.node(target("it4"));
    // OpenSSH refuses the "signal" request for a root login; a closed channel means SIGPIPE.
    String ticker = "while :; do echo tick; sleep 0.1; done; : hoist-it-ticker";
    long start = System.nanoTime();
    assertThatThrownBy(
            () -> node.exec(ExecRequest.of(List.of("sh", "-c", ticker), Duration.ofSeconds(1))))
        .isInstanceOfSatisfying(
            SshException.class, e -> assertThat(e.kind()).isEqualTo(SshException.Kind.TIMEOUT))
        .hasMessageStartingWith("it4: timed out after 1s: sh");
    assertThat(OpenSsh.since(start)).isLessThan(Duration.ofSeconds(3));
    Thread.sleep(500);
    assertThat(OpenSsh.run("sh", "-c", "pgrep -f 'hoist-it-ticke[r]' || echo gone"))
        .isEqualTo("gone\n");
  }

  @Test
  void interactiveWithATtyGetsAPty() throws Exception {
    SshNode node = ssh.node(target("it5"));
    PrintStream out = System.out;
    InputStream in = System.in;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int exit;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      System.setIn(new ByteArrayInputStream(new byte[0]));
      exit = node.interactive(List.of("sh", "-c", "tty; echo TERM=$TERM; exit 3"), true);
    } finally {
      System.setOut(out);
      System.setIn(in);
    }
    assertThat(exit).isEqualTo(3);
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("/dev/pts/").contains("TERM=");
  }

  @Test
  void anUnknownHostIsRefusedWithItsFingerprint() throws Exception {
    SshTarget stranger = target("it6").withKnownHosts(dir.resolve("empty_known_hosts"));
    assertThatThrownBy(() -> ssh.node(stranger).connect())
        .isInstanceOfSatisfying(
            SshException.class, e -> assertThat(e.kind()).isEqualTo(SshException.Kind.HOST_UNKNOWN))
        .hasMessageContaining(
            "127.0.0.1:" + sshd.port + " is not known (ssh-ed25519 " + sshd.hostFingerprint() + ")")
        .hasMessageContaining("hoist node trust it6");
    HostKey scanned = ssh.hostKeys().scan(stranger);
    assertThat(scanned.fingerprint()).isEqualTo(sshd.hostFingerprint());
  }

  @Test
  void authenticatesThroughSshAgent() throws Exception {
    Path agentKey = sshd.newKey("agent_key", "agent-pass", "-t", "ecdsa");
    sshd.authorize(agentKey);
    Path socket = dir.resolve("agent.sock");
    Process agent =
        new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("agent.log").toFile())
            .start();
    try (SshNodes withAgent =
        SshNodes.start(
            new SshSettings(
                (key, attempt) -> {
                  throw new AssertionError(
                      "asked for the passphrase of " + key + ", which the agent holds");
                },
                socket))) {
      for (int i = 0; i < 50 && !Files.exists(socket); i++) {
        Thread.sleep(20);
      }
      ProcessBuilder add =
          new ProcessBuilder("sh", "-c", "ssh-add " + agentKey + " </dev/null")
              .redirectErrorStream(true);
      add.environment().put("SSH_AUTH_SOCK", socket.toString());
      // ssh-add reads the passphrase from SSH_ASKPASS when there is no terminal.
      Path askpass = Files.writeString(dir.resolve("askpass.sh"), "#!/bin/sh\necho agent-pass\n");
      askpass.toFile().setExecutable(true);
      add.environment().put("SSH_ASKPASS", askpass.toString());
      add.environment().put("SSH_ASKPASS_REQUIRE", "force");
      add.environment().put("DISPLAY", ":0");
      Process adding = add.start();
      String said = new String(adding.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(adding.waitFor()).as(said).isZero();

      // The encrypted key file is named too; the agent holds it, so no passphrase is asked.
      SshTarget viaAgent = target("it7").withIdentityFiles(List.of(agentKey));
      ExecResult result =
          withAgent.node(viaAgent).exec(ExecRequest.of(List.of("id", "-u"), TIMEOUT));
      assertThat(result.stdout()).isEqualTo("0\n");
      assertThat(sshd.log()).contains("Accepted publickey for root").contains("ECDSA");
    } finally {
      agent.destroy();
      agent.waitFor();
    }
  }

  @Test
  void encryptedKeysInEveryFormatSshKeygenWrites() throws Exception {
    List<Path> keys =
        List.of(
            sshd.newKey("id_rsa_pem", "key-pass", "-t", "rsa", "-b", "2048", "-m", "PEM"),
            sshd.newKey("id_ecdsa_pkcs8", "key-pass", "-t", "ecdsa", "-m", "PKCS8"),
            sshd.newKey("id_ed25519_enc", "key-pass", "-t", "ed25519"));
    try (SshNodes prompting =
        SshNodes.start(new SshSettings((key, attempt) -> "key-pass".toCharArray(), null))) {
      for (Path key : keys) {
        Files.writeString(sshd.authorizedKeys, "");
        sshd.authorize(key);
        assertThat(Files.readString(key)).as(key.toString()).containsAnyOf("ENCRYPTED", "OPENSSH");
        SshNode node =
            prompting.node(target("it8-" + key.getFileName()).withIdentityFiles(List.of(key)));
        assertThat(node.exec(ExecRequest.of(List.of("true"), TIMEOUT)).ok())
            .as(key.toString())
            .isTrue();
        node.close();
      }
    } finally {
      Files.writeString(sshd.authorizedKeys, "");
      sshd.authorize(rootKey);
    }
  }

  @Test
  void anotherUserRunsAsRootThroughPasswordlessSudo() throws Exception {
    assumeThat(Files.exists(Path.of("/usr/bin/sudo"))).as("sudo is installed").isTrue();
    String user = "hoist-it-sudo";
    Path sudoers = Path.of("/etc/sudoers.d/hoist-it-sudo");
    // A throwaway user: no home, a password field that is not locked (sshd refuses locked
    // accounts).
    OpenSsh.run(
        "sh",
        "-c",
        "id " + user + " >/dev/null 2>&1 || useradd -M -d /nonexistent -s /bin/sh -p '*' " + user);
    // Its own client, closed before userdel: a logged-in user cannot be deleted.
    try (SshNodes asUserSsh = SshNodes.start(new SshSettings(Passphrases.NONE, null))) {
      SshTarget asUser = target("it9").withUser(user);
      assertThatThrownBy(
              () -> asUserSsh.node(asUser).exec(ExecRequest.of(List.of("id", "-u"), TIMEOUT)))
          .isInstanceOfSatisfying(
              SshException.class,
              e -> assertThat(e.kind()).isEqualTo(SshException.Kind.SUDO_PASSWORD))
          .hasMessage(
              "it9: sudo on it9 asks for a password; give "
                  + user
                  + " passwordless sudo (a line in /etc/sudoers.d) or connect as root");

      Files.writeString(sudoers, user + " ALL=(ALL) NOPASSWD: ALL\n");
      JsonNode result =
          new Agent(asUserSsh.node(asUser))
              .call(
                  Agent.request("probe").set("resources", Agent.json().createArrayNode()),
                  new byte[0],
                  TIMEOUT,
                  e -> {});
      assertThat(result.path("facts").path("euid").asInt()).isZero();
    } finally {
      Files.deleteIfExists(sudoers);
      OpenSsh.run(
          "sh",
          "-c",
          "for i in 1 2 3 4 5 6 7 8 9 10; do userdel "
              + user
              + " 2>/dev/null && break; sleep 0.2; done; true");
    }
  }

  /**
   * The figures in docs/ssh.md. Bounds are loose: on a loaded 2-core sandbox sshd's fork and exec
   * of each session costs 100-300 ms, which hides Nagle's 40 ms; they catch a hang, not a slip.
   */
  @Test
  void measuresConnectAndRoundTrips() throws Exception {
    List<Duration> connects = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      long start = System.nanoTime();
      try (SshNode fresh = ssh.node(target("m" + i))) {
        fresh.connect();
        connects.add(OpenSsh.since(start));
      }
    }
    SshNode node = ssh.node(target("measure"));
    Agent agent = new Agent(node);
    List<Duration> trues = timed(50, () -> node.exec(ExecRequest.of(List.of("true"), TIMEOUT)));
    List<Duration> probes =
        timed(
            30,
            () ->
                agent.call(
                    Agent.request("probe").set("resources", Agent.json().createArrayNode()),
                    new byte[0],
                    TIMEOUT,
                    e -> {}));
    Duration trueParallel =
        parallel(6, 20, () -> node.exec(ExecRequest.of(List.of("true"), TIMEOUT)));
    Duration probeParallel =
        parallel(
            6,
            10,
            () ->
                new Agent(node)
                    .call(
                        Agent.request("probe").set("resources", Agent.json().createArrayNode()),
                        new byte[0],
                        TIMEOUT,
                        e -> {}));
    String report =
        String.join(
            "\n",
            "connect+kex+auth (ed25519 key, warm JVM): median "
                + ms(median(connects))
                + ", min "
                + ms(connects.stream().min(Duration::compareTo).orElseThrow()),
            "exec true, sequential: median " + ms(median(trues)),
            "exec true, 6 in flight: " + ms(trueParallel) + " per command (wall time / 120)",
            "agent probe round trip, sequential: median " + ms(median(probes)),
            "agent probe round trip, 6 in flight: "
                + ms(probeParallel)
                + " per call (wall time / 60)",
            "");
    Files.writeString(Path.of("target", "ssh-measurements.txt"), report);
    System.out.print(report);
    assertThat(median(trues)).isLessThan(Duration.ofSeconds(2));
    assertThat(median(connects)).isLessThan(Duration.ofSeconds(5));
  }

  /** Work that may throw, for timing. */
  interface Call {
    Object run() throws Exception;
  }

  private static List<Duration> timed(int times, Call call) throws Exception {
    List<Duration> all = new ArrayList<>();
    for (int i = 0; i < times; i++) {
      long start = System.nanoTime();
      call.run();
      all.add(OpenSsh.since(start));
    }
    return all;
  }

  /** Wall time of {@code threads} x {@code each} calls, divided by their number. */
  private static Duration parallel(int threads, int each, Call call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long start = System.nanoTime();
      List<Future<Object>> all = new ArrayList<>();
      for (int i = 0; i < threads * each; i++) {
        all.add(pool.submit(call::run));
      }
      for (Future<Object> f : all) {
        f.get();
      }
      return OpenSsh.since(start).dividedBy((long) threads * each);
    } finally {
      pool.shutdownNow();
    }
  }

  private static Duration median(List<Duration> all) {
    return all.stream().sorted().toList().get(all.size() / 2);
  }

  private static String ms(Duration d) {
    return String.format("%.1f ms", d.toNanos() / 1e6);
  }
}
