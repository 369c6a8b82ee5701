package dev.hoist.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code hoist server --config} process, as a user starts it, with its own server.yml of one
 * project; it can be started again on the same data dir after a stop or a kill.
 */
final class ServerProcess implements AutoCloseable {
  final Path dir;
  final Path yml;
  final int port;
  final String project;
  final String secret;
  private final Path err;
  private Process process;

  private final Path secretFile;

  /**
   * Writes server.yml for project {@code project} ({@code repo}, branch main, a GitHub secret, no
   * env: this machine) in {@code dir}; the server is started by {@link #start}.
   */
  ServerProcess(Path dir, String project, Path repo, String secret) throws IOException {
    this(dir, project, repo, secret, null);
  }

  /**
   * As {@link #ServerProcess(Path, String, Path, String)}, deploying to {@code env} if not null.
   */
  ServerProcess(Path dir, String project, Path repo, String secret, String env) throws IOException {
    this.dir = dir;
    this.project = project;
    this.secret = secret;
    this.port = freePort();
    this.secretFile = dir.resolve(project + ".secret");
    Files.writeString(secretFile, secret + "\n");
    Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
    this.yml = dir.resolve("server.yml");
    Files.writeString(
        yml,
        "listen: 127.0.0.1:"
            + port
            + "\ndata: data\nprojects:\n  "
            + project
            + ":\n    repo: "
            + repo
            + "\n    branch: main\n    secret_file: "
            + secretFile
            + "\n"
            + (env == null ? "" : "    env: " + env + "\n"));
    this.err = dir.resolve("server.err");
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  Path data() {
    return dir.resolve("data");
  }

  /** A token made with {@code hoist server token create}, as the server's user would. */
  String token(String name, String scope) throws IOException, InterruptedException {
    Hoist.Result made =
        Hoist.run("server", "token", "create", name, "--scope", scope, "--config", yml.toString());
    if (made.exit() != 0) {
      throw new IOException("hoist server token create failed:\n" + made.all());
    }
    return made.out().trim();
  }

  /** The running server process (to find its children). */
  ProcessHandle handle() {
    return process.toHandle();
  }

  /** Starts it (again) as this JVM's user and waits until it listens. */
  void start() throws IOException, InterruptedException {
    start(List.of(), null);
  }

  /**
   * Starts it as {@code user} (through setpriv, which execs: the PID is the server's) with HOME
   * {@code home}, as a systemd unit's User= does, and waits until it listens. The secret file is
   * handed to that user; the data directory must be theirs already.
   */
  void startAs(String user, Path home) throws IOException, InterruptedException {
    Hoist.sh("chown " + user + ": " + secretFile);
    start(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups", "--"), home);
  }

  private void start(List<String> prefix, Path home) throws IOException, InterruptedException {
    int before = log().length();
    List<String> argv = new ArrayList<>(prefix);
    argv.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            Path.of(System.getProperty("hoist.jar", "target/hoist.jar"))
                .toAbsolutePath()
                .toString(),
            "server",
            "--config",
            yml.toString()));
    ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile());
    pb.environment().put("NO_COLOR", "1");
    if (home != null) {
      pb.environment().put("HOME", home.toString());
    }
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()));
    process = pb.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!log().substring(before).contains("listening on http://127.0.0.1:" + port)) {
      if (!process.isAlive()) {
        throw new IOException("hoist server exited " + process.exitValue() + ":\n" + log());
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("hoist server did not listen within 60 s:\n" + log());
      }
      Thread.sleep(100);
    }
  }

  /** What it printed on stderr so far (all runs). */
  String log() throws IOException {
    return Files.exists(err) ? Files.readString(err, StandardCharsets.UTF_8) : "";
  }

  /** SIGTERM, as systemd stops it; returns the exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("hoist server did not stop within 60 s of SIGTERM");
    }
    return process.exitValue();
  }

  /** SIGKILL: no chance to record anything. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
