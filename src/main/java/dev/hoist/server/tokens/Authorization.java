package dev.hoist.server.tokens;

/** The verdict on a request's bearer token for one action. */
public sealed interface Authorization {
  /** The token is known and its scope allows the action. */
  record Allowed(ApiToken token) implements Authorization {}

  /** No token, or one that is not known (401). */
  record Unauthenticated(String reason) implements Authorization {}

  /** A known token whose scope does not allow the action (403). */
  record Forbidden(ApiToken token, Scope needed) implements Authorization {}
}
