package dev.hoist.project;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The backing services the app asks for ({@code services:}): PostgreSQL, Redis and an uploads
 * directory, each provisioned per app on the environment's data node ({@link DataPlacement}).
 */
public record ServicesSpec(
    Optional<Postgres> postgres, Optional<Redis> redis, Optional<Files> files) {

  /** The only PostgreSQL major version Debian 12 ships. */
  public static final int POSTGRES_VERSION = 15;

  /** A role and database for the app, with these extensions created by the superuser. */
  public record Postgres(int version, List<String> extensions) {
    public Postgres {
      extensions = List.copyOf(extensions);
    }
  }

  /** The app's own Redis instance; {@code port} empty: 6380 + CRC32(app) % 1000. */
  public record Redis(OptionalInt port) {}

  /** Uploads kept across releases, served by nginx at {@code url}, at most {@code maxSize}. */
  public record Files(String url, String maxSize) {
    public static final String DEFAULT_URL = "/uploads";
    public static final String DEFAULT_MAX_SIZE = "50m";
  }

  public static ServicesSpec none() {
    return new ServicesSpec(Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** Whether any service is asked for. */
  public boolean any() {
    return postgres.isPresent() || redis.isPresent() || files.isPresent();
  }

  /** The names asked for, in the order postgres, redis, files. */
  public List<String> names() {
    List<String> names = new java.util.ArrayList<>();
    postgres.ifPresent(p -> names.add("postgres"));
    redis.ifPresent(r -> names.add("redis"));
    files.ifPresent(f -> names.add("files"));
    return List.copyOf(names);
  }
}
