package dev.hoist.release;

import dev.hoist.project.Spec;
import java.io.IOException;

/**
 * The project's code as one release: scanned and hashed once, archived (compressed) once, and shared
 * by every node of a deploy. Thread-safe.
 */
public final class ReleaseBundle {
  /** Part of every release hash: bump it when the layout of a release changes. */
  private static final String RELEASE_FORMAT = "hoist-release-1";

  private final Spec spec;
  private ReleaseSource source;
  private String hash;
  private byte[] archive;

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
