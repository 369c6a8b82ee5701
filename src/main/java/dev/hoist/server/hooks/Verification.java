package dev.hoist.server.hooks;

import java.util.Optional;

/**
 * A scheme's verdict on a request: verified, with the delivery id it carries (if any) and the event
 * it names; or refused, with the reason logged and answered.
 */
public sealed interface Verification {
  /** The request is the provider's: {@code event} is push, ping or the provider's own word. */
  record Verified(Optional<String> deliveryId, String event) implements Verification {}

  /** The request is refused (401); {@code reason} names the header and what was wrong. */
  record Refused(String reason) implements Verification {}
}
