package dev.hoist.release;

import dev.hoist.project.Spec;
import java.io.IOException;
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

  private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

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
   * hoist rollback RELEASE} means one thing across a fleet.
   */
  public synchronized String releaseId() throws IOException {
    if (releaseId == null) {
      releaseId = ZonedDateTime.now(ZoneOffset.UTC).format(ID) + "-" + hash().substring(0, 7);
    }
    return releaseId;
  }

  public synchronized byte[] archive() throws IOException {
    if (archive == null) {
      archive = source().archive();
    }
    return archive;
  }

  private ReleaseSource source() throws IOException {
    if (source == null) {
      source = ReleaseSource.scan(spec.projectDir(), spec.shared());
    }
    return source;
  }
}
