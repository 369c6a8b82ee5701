package dev.hoist.project;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which host names a public CA can certify: not IP addresses, not single labels, not the reserved
 * and local-only suffixes (RFC 2606, RFC 6761, RFC 6762, ICANN's .internal).
 */
public final class PublicNames {
  private static final List<String> LOCAL_SUFFIXES =
      List.of(".test", ".localhost", ".local", ".internal", ".invalid", ".example", ".home.arpa");
  private static final Pattern IPV4 = Pattern.compile("[0-9]+(\\.[0-9]+){3}");

  private PublicNames() {}

  /** Why {@code name} stays on HTTP by default, or empty when a public CA could certify it. */
  public static Optional<String> whyLocal(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.equals("_")) {
      return Optional.of("the domain is '_' (any host)");
    }
    if (IPV4.matcher(n).matches() || n.contains(":")) {
      return Optional.of(name + " is an IP address");
    }
    if (!n.contains(".") || n.equals("localhost")) {
      return Optional.of(name + " is not a public name (no dot)");
    }
    for (String suffix : LOCAL_SUFFIXES) {
      if (n.endsWith(suffix)) {
        return Optional.of(name + " is under " + suffix + ", which no public CA certifies");
      }
    }
    return Optional.empty();
  }

  /** Whether an ACME CA could validate {@code name} at all (a private CA may take .test names). */
  public static boolean certifiable(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return !n.equals("_") && !IPV4.matcher(n).matches() && !n.contains(":") && n.contains(".");
  }
}
