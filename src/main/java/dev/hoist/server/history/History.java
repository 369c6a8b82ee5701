package dev.hoist.server.history;

import dev.hoist.server.queue.DeployRequest;
import dev.hoist.server.tokens.ApiToken;
import dev.hoist.server.tokens.Scope;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The server's history in SQLite ({@code history.db} in the data directory, 0600): projects,
 * deploys with their per-node outcomes and log lines, and API tokens (hashes only). It survives
 * restarts; opening it marks every deploy a stop cut short as interrupted. One connection, used by
 * one thread at a time.
 */
public final class History implements AutoCloseable {
  static final String FILE = "history.db";
  private static final List<String> PHASES = List.of("fetch", "build", "deploy");

  /** Held while a server has the history open (released by close), so one server per data dir. */
  private static final String LOCK = "server.lock";

  private final Connection db;
  private final Clock clock;
  private FileChannel serverLock;

  private History(Connection db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /**
   * Opens (or makes) the history in {@code dataDir}, made 0700 if missing, and marks the deploys a
   * server stop cut short as interrupted.
   *
   * @throws IOException if the directory is unsafe or the database cannot be opened
   */
  public static History open(Path dataDir, Clock clock) throws IOException {
    History history = attach(dataDir, clock);
    Path lockFile = dataDir.resolve(LOCK);
    FileChannel channel =
        FileChannel.open(
            lockFile,
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) { // this JVM holds it already
      lock = null;
    }
    if (lock == null) {
      channel.close();
      history.close();
      throw new IOException(
          "another hoist server uses " + dataDir + "; stop it first (one server per data dir)");
    }
    history.serverLock = channel;
    history.markInterrupted();
    return history;
  }

  /**
   * Opens the history without touching its deploys: for a command (hoist server token) run while
   * the server may be running one.
   *
   * @throws IOException if the directory is unsafe or the database cannot be opened
   */
  public static History attach(Path dataDir, Clock clock) throws IOException {
    Path file = DataDir.prepare(dataDir).resolve(FILE);
    if (!Files.exists(file)) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    // sqlite-jdbc unpacks its native library into a temp dir before loading it: the data dir
    // (0700, the server's own), not the shared /tmp where another user could interfere.
    if (System.getProperty("org.sqlite.tmpdir") == null) {
      System.setProperty("org.sqlite.tmpdir", dataDir.toString());
    }
    try {
      Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
      Schema.apply(db);
      return new History(db, clock);
    } catch (SQLException e) {
      throw new IOException("cannot open the history " + file + ": " + e.getMessage(), e);
    }
  }

  /** Records a project of server.yml (or its new repo, branch, env). */
  public synchronized void saveProject(
      String name, String repo, String branch, Optional<String> env) {
    update(
        "INSERT INTO projects (name, repo, branch, env) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT(name) DO UPDATE SET repo = excluded.repo, branch = excluded.branch,"
            + " env = excluded.env",
        name,
        repo,
        branch,
        env.orElse(null));
  }

  /** A new deploy, queued; returns its id. */
  public synchronized long queued(DeployRequest request) {
    try (PreparedStatement s =
        db.prepareStatement(
            "INSERT INTO deploys (project, kind, commit_id, author, message, trigger, status,"
                + " queued_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?) RETURNING id")) {
      bind(
          s,
          request.project(),
          request.kind().word(),
          request.commit() == null ? "" : request.commit(),
          request.author(),
          request.message(),
          request.trigger(),
          now());
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    } catch (SQLException e) {
      throw new HistoryException(e);
    }
  }

  public synchronized void started(long id) {
    update("UPDATE deploys SET status = 'running', started_at = ? WHERE id = ?", now(), id);
  }

  /** A deploy ended: succeeded or failed (with what failed). */
  public synchronized void finished(long id, DeployStatus status, Optional<String> error) {
    if (status != DeployStatus.SUCCEEDED && status != DeployStatus.FAILED) {
      throw new IllegalArgumentException("a deploy finishes succeeded or failed, not " + status);
    }
    update(
        "UPDATE deploys SET status = ?, finished_at = ?, error = ? WHERE id = ?",
        status.word(),
        now(),
        error.orElse(null),
        id);
  }

  /**
   * A running deploy was cut short by a server stop; its nodes keep an interrupted deploy's state.
   */
  public synchronized void interrupted(long id, String why) {
    update(
        "UPDATE deploys SET status = 'interrupted', finished_at = ?, error = ? WHERE id = ?"
            + " AND status IN ('queued', 'running')",
        now(),
        why,
        id);
  }

  /** A waiting deploy will never run: {@code by} replaced it. */
  public synchronized void superseded(long id, long by) {
    update(
        "UPDATE deploys SET status = 'superseded', finished_at = ?, superseded_by = ? WHERE id = ?",
        now(),
        by,
        id);
  }

  /** A phase of deploy {@code id} ("fetch", "build" or "deploy") finished, taking {@code took}. */
  public synchronized void phase(long id, String phase, Duration took) {
    if (!PHASES.contains(phase)) {
      throw new IllegalArgumentException("no phase '" + phase + "'; one of " + PHASES);
    }
    update("UPDATE deploys SET " + phase + "_ms = ? WHERE id = ?", took.toMillis(), id);
  }

  /** The commit a deploy turned out to deploy (one asked for as "the branch head" learns it). */
  public synchronized void resolved(long id, String commit) {
    update("UPDATE deploys SET commit_id = ? WHERE id = ?", commit, id);
  }

  public synchronized void nodeOutcome(long id, NodeOutcome outcome) {
    update(
        "INSERT OR REPLACE INTO node_outcomes (deploy, node, result, release, detail)"
            + " VALUES (?, ?, ?, ?, ?)",
        id,
        outcome.node(),
        outcome.result(),
        outcome.release().orElse(null),
        outcome.detail());
  }

  public synchronized void log(long id, String line) {
    update(
        "INSERT INTO log_lines (deploy, seq, at, line) SELECT ?,"
            + " COALESCE(MAX(seq), 0) + 1, ?, ? FROM log_lines WHERE deploy = ?",
        id,
        now(),
        line,
        id);
  }

  /** The log lines of deploy {@code id} after line {@code afterSeq} (0: all). */
  public synchronized List<LogLine> log(long id, long afterSeq) {
    List<LogLine> lines = new ArrayList<>();
    try (PreparedStatement s =
        db.prepareStatement(
            "SELECT seq, at, line FROM log_lines WHERE deploy = ? AND seq > ? ORDER BY seq")) {
      bind(s, id, afterSeq);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          lines.add(new LogLine(r.getLong(1), Instant.ofEpochMilli(r.getLong(2)), r.getString(3)));
        }
      }
    } catch (SQLException e) {
      throw new HistoryException(e);
    }
    return lines;
  }

  /** The newest deploys first, of one project or of all, at most {@code limit}. */
  public synchronized List<DeployRecord> deploys(Optional<String> project, int limit) {
    String where = project.isPresent() ? " WHERE project = ?" : "";
    try (PreparedStatement s =
        db.prepareStatement("SELECT * FROM deploys" + where + " ORDER BY id DESC LIMIT ?")) {
      if (project.isPresent()) {
        bind(s, project.get(), limit);
      } else {
        bind(s, limit);
      }
      return records(s);
    } catch (SQLException e) {
      throw new HistoryException(e);
    }
  }

  public synchronized Optional<DeployRecord> deploy(long id) {
    try (PreparedStatement s = db.prepareStatement("SELECT * FROM deploys WHERE id = ?")) {
      bind(s, id);
      return records(s).stream().findFirst();
    } catch (SQLException e) {
      throw new HistoryException(e);
    }
  }

  /**
   * Stores a token's hash.
   *
   * @throws IllegalArgumentException if a token of that name exists
   */
  public synchronized void addToken(ApiToken token) {
    try (PreparedStatement s =
        db.prepareStatement(
            "INSERT INTO tokens (name, scope, sha256, created) VALUES (?, ?, ?, ?)")) {
      bind(s, token.name(), token.scope().word(), token.sha256(), token.created().toEpochMilli());
      s.executeUpdate();
    } catch (SQLException e) {
      if (e.getMessage() != null && e.getMessage().contains("UNIQUE")) {
        throw new IllegalArgumentException(
            "a token named '" + token.name() + "' exists; revoke it first or pick another name", e);
      }
      throw new HistoryException(e);
    }
  }

  public synchronized List<ApiToken> tokens() {
    List<ApiToken> tokens = new ArrayList<>();
    try (PreparedStatement s =
            db.prepareStatement("SELECT name, scope, sha256, created FROM tokens ORDER BY name");
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        tokens.add(
            new ApiToken(
                r.getString(1),
                Scope.parse(r.getString(2)).orElseThrow(),
                r.getString(3),
                Instant.ofEpochMilli(r.getLong(4))));
      }
    } catch (SQLException e) {
      throw new HistoryException(e);
    }
    return tokens;
  }

  /** Deletes a token; false if there was none of that name. */
  public synchronized boolean revokeToken(String name) {
    return update("DELETE FROM tokens WHERE name = ?", name) > 0;
  }

  /** Deploys left running or queued by a server that stopped: interrupted, with why. */
  private void markInterrupted() {
    long now = now();
    update(
        "UPDATE deploys SET status = 'interrupted', finished_at = ?,"
            + " error = 'the server stopped during the deploy' WHERE status = 'running'",
        now);
    update(
        "UPDATE deploys SET status = 'interrupted', finished_at = ?,"
            + " error = 'the server stopped before the deploy started' WHERE status = 'queued'",
        now);
  }

  private List<DeployRecord> records(PreparedStatement s) throws SQLException {
    List<DeployRecord> records = new ArrayList<>();
    try (ResultSet r = s.executeQuery()) {
      while (r.next()) {
        long id = r.getLong("id");
        records.add(
            new DeployRecord(
                id,
                r.getString("project"),
                DeployRequest.Kind.valueOf(r.getString("kind").toUpperCase(Locale.ROOT)),
                r.getString("commit_id"),
                r.getString("author"),
                r.getString("message"),
                r.getString("trigger"),
                DeployStatus.of(r.getString("status")),
                Instant.ofEpochMilli(r.getLong("queued_at")),
                instant(r, "started_at"),
                instant(r, "finished_at"),
                optionalLong(r, "superseded_by"),
                Optional.ofNullable(r.getString("error")),
                phases(r),
                List.of()));
      }
    }
    List<DeployRecord> withNodes = new ArrayList<>();
    for (DeployRecord d : records) {
      withNodes.add(d.withNodes(nodes(d.id())));
    }
    return withNodes;
  }

  private List<NodeOutcome> nodes(long id) throws SQLException {
    List<NodeOutcome> nodes = new ArrayList<>();
    try (PreparedStatement s =
        db.prepareStatement(
            "SELECT node, result, release, detail FROM node_outcomes WHERE deploy = ? ORDER BY node")) {
      bind(s, id);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          nodes.add(
              new NodeOutcome(
                  r.getString(1),
                  r.getString(2),
                  Optional.ofNullable(r.getString(3)),
                  r.getString(4)));
        }
      }
    }
    return nodes;
  }

  private static Map<String, Duration> phases(ResultSet r) throws SQLException {
    Map<String, Duration> phases = new LinkedHashMap<>();
    for (String phase : PHASES) {
      long ms = r.getLong(phase + "_ms");
      if (!r.wasNull()) {
        phases.put(phase, Duration.ofMillis(ms));
      }
    }
    return phases;
  }

  private static Optional<Instant> instant(ResultSet r, String column) throws SQLException {
    long value = r.getLong(column);
    return r.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
  }

  private static Optional<Long> optionalLong(ResultSet r, String column) throws SQLException {
    long value = r.getLong(column);
    return r.wasNull() ? Optional.empty() : Optional.of(value);
  }

  private long now() {
    return clock.millis();
  }

  private int update(String sql, Object... values) {
    try (PreparedStatement s = db.prepareStatement(sql)) {
      bind(s, values);
      return s.executeUpdate();
    } catch (SQLException e) {
      throw new HistoryException(e);
    }
  }

  private static void bind(PreparedStatement s, Object... values) throws SQLException {
    for (int i = 0; i < values.length; i++) {
      switch (values[i]) {
        case null -> s.setNull(i + 1, Types.NULL);
        case Long l -> s.setLong(i + 1, l);
        case Integer n -> s.setInt(i + 1, n);
        case String text -> s.setString(i + 1, text);
        default -> throw new IllegalArgumentException("no binding for " + values[i].getClass());
      }
    }
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
      if (serverLock != null) {
        serverLock.close();
      }
    } catch (SQLException e) {
      throw new HistoryException(e);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The database failed under a query that is right (disk full, file damaged). */
  public static final class HistoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HistoryException(SQLException cause) {
      super("the server's history database failed: " + cause.getMessage(), cause);
    }
  }
}
