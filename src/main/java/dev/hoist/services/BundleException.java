package dev.hoist.services;

import java.util.Optional;

/**
 * A bundle that is not right (truncated, altered, not a bundle, another app's): the message says
 * what and where, naming the part whose check failed when one did.
 */
public final class BundleException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String part;

  public BundleException(String part, String message) {
    super(part == null ? message : "part " + part + ": " + message);
    this.part = part;
  }

  public BundleException(String message) {
    this(null, message);
  }

  /** The part the failure is about ({@code postgres/dump}, ...), when it is about one. */
  public Optional<String> part() {
    return Optional.ofNullable(part);
  }
}
