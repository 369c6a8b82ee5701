package dev.hoist.server.history;

import java.util.Optional;

/** How one node came out of a deploy: its result word, the release it serves, a line of detail. */
public record NodeOutcome(String node, String result, Optional<String> release, String detail) {}
