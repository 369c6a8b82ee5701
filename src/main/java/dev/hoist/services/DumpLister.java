package dev.hoist.services;

import java.io.IOException;

/** Reads a PostgreSQL custom-format dump as it streams past (pg_restore --list, or a double). */
public interface DumpLister {
  /** Starts a listing; write the dump's bytes to it in order, then finish or close it. */
  Listing open() throws IOException;

  /** One listing in progress. */
  interface Listing extends AutoCloseable {
    /** The next bytes of the dump; ignored once the reader has all it needs. */
    void write(byte[] bytes);

    /**
     * The dump ended: a one-line account of what was read.
     *
     * @throws BundleException (part postgres/dump) when the reader could not read it
     */
    String finish() throws BundleException, InterruptedException;

    /** Stops the reader if still running. */
    @Override
    void close();
  }
}
