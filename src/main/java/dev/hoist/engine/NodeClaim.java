package dev.hoist.engine;

import java.net.InetAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.OptionalLong;

/**
 * Who makes an apply (named to whoever is refused while it holds the node lock), and the node
 * generation its plan was made against: an apply is refused when another changed the node between.
 */
public record NodeClaim(String by, String since, String command, OptionalLong expectGeneration) {

  /** A claim by this user on this machine, now. */
  public static NodeClaim of(String command, OptionalLong expectGeneration) {
    return new NodeClaim(
        whoAmI(),
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
        command,
        expectGeneration);
  }

  /** {@code user@host} of this admin machine (sudo's caller when run through sudo). */
  public static String whoAmI() {
    String user = System.getenv("SUDO_USER");
    if (user == null || user.isBlank()) {
      user = System.getProperty("user.name", "someone");
    }
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "localhost";
    }
    return user + "@" + host;
  }
}
