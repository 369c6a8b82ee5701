package dev.hoist.server.tokens;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What an API token may do: read (projects, deploys, logs) or also deploy and roll back. */
public enum Scope {
  READ,
  DEPLOY;

  /** Whether a token of this scope may do what {@code needed} guards; deploy includes read. */
  public boolean allows(Scope needed) {
    return this == DEPLOY || needed == READ;
  }

  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Scope> parse(String text) {
    return Arrays.stream(values()).filter(s -> s.word().equals(text)).findFirst();
  }
}
