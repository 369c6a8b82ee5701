package dev.hoist.services;

import dev.hoist.node.LocalNode;
import dev.hoist.node.StreamingCommand;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code pg_restore --list} on this machine, fed the dump on its stdin as it streams past; it reads
 * the table of contents and stops (the checksums cover the rest). As root it runs as nobody: the
 * dump is the app's data. Without pg_restore installed the dump's structure is not checked, and the
 * summary says so.
 */
public final class PgRestoreList implements DumpLister {
  private final Optional<Path> pgRestore;

  public PgRestoreList() {
    this(onPath("pg_restore"));
  }

  PgRestoreList(Optional<Path> pgRestore) {
    this.pgRestore = pgRestore;
  }

  @Override
  public Listing open() throws IOException {
    if (pgRestore.isEmpty()) {
      return new Listing() {
        @Override
        public void write(byte[] bytes) {}

        @Override
        public String finish() {
          return "not read: pg_restore is not installed here (Debian: postgresql-client)";
        }

        @Override
        public void close() {}
      };
    }
    List<String> argv = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      argv.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
    }
    argv.addAll(List.of(pgRestore.get().toString(), "--list"));
    List<String> errors = new CopyOnWriteArrayList<>();
    StreamingCommand command = new LocalNode().stream(argv, errors::add);
    AtomicInteger entries = new AtomicInteger();
    // Its listing is read as it comes, so a long one cannot block it (and us behind it).
    Thread out =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (BufferedReader lines =
                      new BufferedReader(
                          new InputStreamReader(command.stdout(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                      if (!line.isBlank() && !line.startsWith(";")) {
                        entries.incrementAndGet();
                      }
                    }
                  } catch (IOException e) {
                    // Closed under us; the exit code tells.
                  }
                });
    return new Listing() {
      private boolean stopped;

      @Override
      public void write(byte[] bytes) {
        if (stopped) {
          return;
        }
        try {
          command.stdin().write(bytes);
        } catch (IOException e) {
          stopped = true; // it has read what it needs (the table of contents) and exited
        }
      }

      @Override
      public String finish() throws BundleException, InterruptedException {
        try {
          command.stdin().close();
        } catch (IOException e) {
          // Exited already.
        }
        int exit;
        try {
          exit = command.waitFor();
        } catch (IOException e) {
          exit = -1;
          errors.add(e.getMessage());
        }
        out.join();
        if (exit != 0) {
          throw new BundleException(
              "postgres/dump",
              "pg_restore --list cannot read the dump: "
                  + (errors.isEmpty() ? "exit " + exit : String.join(" ", errors)));
        }
        return "pg_restore --list read " + entries.get() + " entries";
      }

      @Override
      public void close() {
        command.close();
      }
    };
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
