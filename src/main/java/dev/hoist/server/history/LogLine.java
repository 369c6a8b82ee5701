package dev.hoist.server.history;

import java.time.Instant;

/** One line of a deploy's log; {@code seq} counts from 1 per deploy, for "lines after N". */
public record LogLine(long seq, Instant at, String line) {}
