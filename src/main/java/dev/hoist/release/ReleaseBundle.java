package dev.hoist.release;

import dev.hoist.project.Spec;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The project's code as one release: scanned and hashed once, archived (compressed) once, and
 * shared by every node of a deploy. Thread-safe.
 */
public final class ReleaseBundle {
  /** Part of every release hash: bump it when the layout of a release changes. */
  private static final String RELEASE_FORMAT = "hoist-release-1";

  // Millisecond time first, so ids sort by time as names (release lists, "newer than" checks).
  private static final DateTimeFormatter ID =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Spec spec;
  private ReleaseSource source;
  private String hash;
  private byte[] archive;
  private String releaseId;

  private ReleaseBundle(Spec spec) {
    this.spec = spec;
  }

  /** Nothing is read until {@link #hash()} or {@link #archive()} is first called. */
  public static ReleaseBundle of(Spec spec) {
    return new ReleaseBundle(spec);
  }

  public synchronized String hash() throws IOException {
    if (hash == null) {
      hash = source().hash(RELEASE_FORMAT);
    }
    return hash;
  }

  /**
   * The id a new release of this code gets: the same on every node of one deploy, so that {@code
   * hoist rollback RELEASE} means one thing across a fleet; never the same for two deploys, even of
   * the same code at the same moment ({@code 20261202T130501.042Z-3f2a9c1-7b0e}: time, hash, a
   * random tail).
   */
  public synchronized String releaseId() throws IOException {
    if (releaseId == null) {
      releaseId = newId(ZonedDateTime.now(ZoneOffset.UTC), hash());
    }
    return releaseId;
  }

  static String newId(ZonedDateTime now, String hash) {
    return now.format(ID)
        + "-"
        + hash.substring(0, 7)
        + "-"
        + String.format("%04x", RANDOM.nextInt(0x10000));
  }

  public synchronized byte[] archive() throws IOException {
    if (archive == null) {
      archive = source().archive();
    }
    return archive;
  }

  /**
   * Lists what ships (without reading it), so that a project that cannot ship (a symlink pointing
   * outside it) is refused before anything is sent.
   *
   * @throws UnshippableException naming the symlink and its target, or when git tracks nothing
   */
  public synchronized void check() throws IOException {
    source();
  }

  private ReleaseSource source() throws IOException {
    if (source == null) {
      source = ReleaseSource.scan(spec.projectDir(), spec.shared(), spec.include());
    }
    return source;
  }
}
