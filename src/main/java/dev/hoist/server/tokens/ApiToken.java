package dev.hoist.server.tokens;

import java.time.Instant;

/**
 * A stored API token: its name, its scope, when it was made, and the SHA-256 (hex) of its secret;
 * the secret itself is shown once, when it is made, and kept nowhere.
 */
public record ApiToken(String name, Scope scope, String sha256, Instant created) {}
