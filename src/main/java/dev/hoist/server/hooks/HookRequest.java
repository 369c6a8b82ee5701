package dev.hoist.server.hooks;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A webhook request as it arrived: its headers (names compared without case, as HTTP does) and the
 * raw body bytes, which are what every scheme signs; never parsed before they are verified.
 */
public final class HookRequest {
  private final Map<String, String> headers = new TreeMap<>();
  private final byte[] body;

  /**
   * @param body the body as read, at most {@link HookGate#MAX_BODY} + 1 bytes: one more says it was
   *     longer
   */
  public HookRequest(Map<String, String> headers, byte[] body) {
    headers.forEach((name, value) -> this.headers.put(name.toLowerCase(Locale.ROOT), value));
    this.body = body.clone();
  }

  /** A header's value, trimmed; empty when it is absent or blank. */
  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)))
        .map(String::trim)
        .filter(v -> !v.isEmpty());
  }

  byte[] body() {
    return body.clone();
  }

  int length() {
    return body.length;
  }
}
