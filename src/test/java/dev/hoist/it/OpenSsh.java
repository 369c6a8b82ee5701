package dev.hoist.it;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server on 127.0.0.1 and a free port, with its own host key, authorized_keys and
 * pid file in a temp dir; stopped by its PID on close.
 */
final class OpenSsh implements AutoCloseable {
  final Path dir;
  final int port;
  final Path authorizedKeys;
  final Path hostKey;
  private final Process sshd;

  private OpenSsh(Path dir, int port, Process sshd) {
    this.dir = dir;
    this.port = port;
    this.authorizedKeys = dir.resolve("authorized_keys");
    this.hostKey = dir.resolve("host_ed25519");
    this.sshd = sshd;
  }

  static OpenSsh start(Path dir) throws IOException, InterruptedException {
    Path hostKey = dir.resolve("host_ed25519");
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString());
    Files.writeString(dir.resolve("authorized_keys"), "");
    // sshd reads authorized_keys as the user logging in, who may not be root.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    // sshd's privilege separation needs this directory; Debian creates it from its service unit.
    Files.createDirectories(Path.of("/run/sshd"));
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Path config = dir.resolve("sshd_config");
    Files.writeString(
        config,
        String.join(
            "\n",
            "Port " + port,
            "ListenAddress 127.0.0.1",
            "HostKey " + hostKey,
            "PidFile " + dir.resolve("sshd.pid"),
            "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            // The temp dir is not root-owned 0755 all the way up, which StrictModes would refuse.
            "StrictModes no",
            "MaxSessions 10",
            "LogLevel VERBOSE",
            ""));
    Process sshd =
        new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sshd.log").toFile())
            .start();
    OpenSsh server = new OpenSsh(dir, port, sshd);
    server.awaitBanner();
    return server;
  }

  private void awaitBanner() throws IOException, InterruptedException {
    Instant deadline = Instant.now().plusSeconds(10);
    while (Instant.now().isBefore(deadline)) {
      if (!sshd.isAlive()) {
        throw new IOException("sshd exited " + sshd.exitValue() + ":\n" + log());
      }
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
        socket.setSoTimeout(2000);
        byte[] banner = new byte[4];
        InputStream in = socket.getInputStream();
        if (in.readNBytes(banner, 0, 4) == 4
            && new String(banner, StandardCharsets.US_ASCII).equals("SSH-")) {
          return;
        }
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    throw new IOException("sshd did not answer on port " + port + " within 10s:\n" + log());
  }

  String log() throws IOException {
    return Files.readString(dir.resolve("sshd.log"));
  }

  /** Generates a key pair at {@code dir/name} (ssh-keygen's own format unless {@code format}). */
  Path newKey(String name, String passphrase, String... options)
      throws IOException, InterruptedException {
    Path key = dir.resolve(name);
    List<String> argv =
        new ArrayList<>(
            List.of("ssh-keygen", "-q", "-N", passphrase, "-C", name, "-f", key.toString()));
    argv.addAll(List.of(options));
    run(argv.toArray(String[]::new));
    return key;
  }

  void authorize(Path key) throws IOException {
    Files.writeString(
        authorizedKeys, Files.readString(Path.of(key + ".pub")), StandardOpenOption.APPEND);
  }

  String hostFingerprint() throws IOException, InterruptedException {
    return run("ssh-keygen", "-l", "-f", hostKey + ".pub").split(" ")[1];
  }

  static String run(String... argv) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectInput(Redirect.from(new File("/dev/null")))
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", argv) + " failed:\n" + out);
    }
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    sshd.destroy();
    if (!sshd.waitFor(5, TimeUnit.SECONDS)) {
      sshd.destroyForcibly();
    }
  }

  static Duration since(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos);
  }
}
