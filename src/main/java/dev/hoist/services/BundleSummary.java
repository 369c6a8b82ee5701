package dev.hoist.services;

import java.util.List;

/**
 * A bundle that passed every check: its header, each part as the manifest lists it, the bytes read
 * and what {@code pg_restore --list} said of the dump.
 */
public record BundleSummary(BundleHeader header, List<Part> parts, long bytes, String dump) {
  /** One part: {@code postgres/dump}, its size, sha256 and number of chunks. */
  public record Part(String name, long size, String sha256, int chunks) {}

  public BundleSummary {
    parts = List.copyOf(parts);
  }
}
