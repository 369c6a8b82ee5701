package dev.hoist.services;

import java.util.List;
import java.util.Optional;

/**
 * {@code hoist-backup/header.json}: whose data a bundle holds, from where and when, and which
 * services' parts follow.
 */
public record BundleHeader(
    int format,
    String app,
    String appId,
    Optional<String> release,
    String created,
    String node,
    Optional<String> postgresVersion,
    Optional<String> redisVersion,
    List<String> parts) {
  public BundleHeader {
    parts = List.copyOf(parts);
  }
}
