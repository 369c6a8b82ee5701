package dev.hoist.ssh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where and how to reach one node over SSH: host, port, user, keys, an optional jump host
 * (ProxyJump, which may itself have one), the known_hosts file that vouches for its host key, and
 * the timeouts.
 *
 * <p>Null means "the default" for every field but {@code name} and {@code host}: port 22 (give 0),
 * user {@code root}, the identity files {@code ~/.ssh/id_ed25519}, {@code id_ecdsa} and {@code
 * id_rsa} that exist (an empty list), no jump host, {@code ~/.ssh/known_hosts}, a 10 s connect
 * timeout and a 15 s keepalive interval. Invalid values throw {@link IllegalArgumentException} with
 * a message that names the node and the field.
 */
public record SshTarget(
    String name,
    String host,
    int port,
    String user,
    List<Path> identityFiles,
    SshTarget jump,
    Path knownHosts,
    Duration connectTimeout,
    Duration keepAlive) {
  public static final int DEFAULT_PORT = 22;
  public static final String DEFAULT_USER = "root";
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(15);
  private static final List<String> DEFAULT_KEY_NAMES = List.of("id_ed25519", "id_ecdsa", "id_rsa");

  // POSIX portable user names (useradd accepts these); rules out '@', ':' and blanks.
  private static final Pattern USER = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._-]*\\$?");
  // A DNS name, an IPv4 address or an IPv6 address, without brackets: nothing sh or ssh would read.
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:%-]+");
  private static final int MAX_JUMPS = 8;

  public SshTarget {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("an SSH target needs a node name");
    }
    if (host == null || !HOST.matcher(host).matches() || host.startsWith("-")) {
      throw invalid(name, "host", host, "a host name or an IP address");
    }
    port = port == 0 ? DEFAULT_PORT : port;
    if (port < 1 || port > 65535) {
      throw invalid(name, "port", port, "a number from 1 to 65535");
    }
    user = user == null ? DEFAULT_USER : user;
    if (!USER.matcher(user).matches()) {
      throw invalid(name, "user", user, "a user name such as root or deploy");
    }
    identityFiles = identityFiles == null ? List.of() : List.copyOf(identityFiles);
    knownHosts = knownHosts == null ? sshDir().resolve("known_hosts") : knownHosts;
    connectTimeout = positive(name, "connect timeout", connectTimeout, DEFAULT_CONNECT_TIMEOUT);
    keepAlive = positive(name, "keepalive interval", keepAlive, DEFAULT_KEEP_ALIVE);
    if (jump != null && jump.jumps() + 1 > MAX_JUMPS) {
      throw new IllegalArgumentException(
          name + ": more than " + MAX_JUMPS + " jump hosts in a row; is the chain a loop?");
    }
  }

  /** A target with every default: port 22, user root, default keys and known_hosts, no jump. */
  public static SshTarget of(String name, String host) {
    return new SshTarget(name, host, 0, null, null, null, null, null, null);
  }

  public SshTarget withPort(int newPort) {
    return new SshTarget(
        name, host, newPort, user, identityFiles, jump, knownHosts, connectTimeout, keepAlive);
  }

  public SshTarget withUser(String newUser) {
    return new SshTarget(
        name, host, port, newUser, identityFiles, jump, knownHosts, connectTimeout, keepAlive);
  }

  public SshTarget withIdentityFiles(List<Path> files) {
    return new SshTarget(
        name, host, port, user, files, jump, knownHosts, connectTimeout, keepAlive);
  }

  public SshTarget withJump(SshTarget newJump) {
    return new SshTarget(
        name, host, port, user, identityFiles, newJump, knownHosts, connectTimeout, keepAlive);
  }

  public SshTarget withKnownHosts(Path file) {
    return new SshTarget(
        name, host, port, user, identityFiles, jump, file, connectTimeout, keepAlive);
  }

  public SshTarget withConnectTimeout(Duration timeout) {
    return new SshTarget(
        name, host, port, user, identityFiles, jump, knownHosts, timeout, keepAlive);
  }

  public SshTarget withKeepAlive(Duration interval) {
    return new SshTarget(
        name, host, port, user, identityFiles, jump, knownHosts, connectTimeout, interval);
  }

  /** {@code host:port}, with brackets around an IPv6 address, for messages. */
  public String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** Whether commands need {@code sudo} to run as root. */
  public boolean needsSudo() {
    return !user.equals(DEFAULT_USER);
  }

  /**
   * The identity files to offer: the ones given, or the default ones that exist (looked up now).
   */
  public List<Path> keysToOffer() {
    if (!identityFiles.isEmpty()) {
      return identityFiles;
    }
    Path dir = sshDir();
    return DEFAULT_KEY_NAMES.stream().map(dir::resolve).filter(Files::isRegularFile).toList();
  }

  private int jumps() {
    return jump == null ? 0 : 1 + jump.jumps();
  }

  private static Path sshDir() {
    return Path.of(System.getProperty("user.home"), ".ssh");
  }

  private static Duration positive(String node, String field, Duration value, Duration fallback) {
    if (value == null) {
      return fallback;
    }
    if (value.isNegative() || value.isZero()) {
      throw invalid(node, field, value, "a positive duration");
    }
    return value;
  }

  private static IllegalArgumentException invalid(
      String node, String field, Object value, String expected) {
    return new IllegalArgumentException(
        node
            + ": invalid SSH "
            + field
            + " "
            + (value == null ? "(none)" : "'" + value + "'")
            + "; expected "
            + expected);
  }
}
