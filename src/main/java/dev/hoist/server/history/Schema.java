package dev.hoist.server.history;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The history database's tables, made on first open; {@code user_version} numbers the layout. */
final class Schema {
  static final int VERSION = 2;

  private static final List<String> TABLES =
      List.of(
          """
          CREATE TABLE IF NOT EXISTS projects (
            name TEXT PRIMARY KEY,
            repo TEXT NOT NULL,
            branch TEXT NOT NULL,
            env TEXT)
          """,
          """
          CREATE TABLE IF NOT EXISTS deploys (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            project TEXT NOT NULL REFERENCES projects(name),
            commit_id TEXT NOT NULL,
            author TEXT NOT NULL,
            message TEXT NOT NULL,
            trigger TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN
              ('queued', 'running', 'succeeded', 'failed', 'superseded', 'interrupted')),
            queued_at INTEGER NOT NULL,
            started_at INTEGER,
            finished_at INTEGER,
            superseded_by INTEGER REFERENCES deploys(id),
            error TEXT,
            kind TEXT NOT NULL DEFAULT 'deploy' CHECK (kind IN ('deploy', 'rollback')),
            fetch_ms INTEGER,
            build_ms INTEGER,
            deploy_ms INTEGER)
          """,
          "CREATE INDEX IF NOT EXISTS deploys_by_project ON deploys(project, id)",
          """
          CREATE TABLE IF NOT EXISTS node_outcomes (
            deploy INTEGER NOT NULL REFERENCES deploys(id),
            node TEXT NOT NULL,
            result TEXT NOT NULL,
            release TEXT,
            detail TEXT NOT NULL,
            PRIMARY KEY (deploy, node))
          """,
          """
          CREATE TABLE IF NOT EXISTS log_lines (
            deploy INTEGER NOT NULL REFERENCES deploys(id),
            seq INTEGER NOT NULL,
            at INTEGER NOT NULL,
            line TEXT NOT NULL,
            PRIMARY KEY (deploy, seq))
          """,
          """
          CREATE TABLE IF NOT EXISTS tokens (
            name TEXT PRIMARY KEY,
            scope TEXT NOT NULL CHECK (scope IN ('read', 'deploy')),
            sha256 TEXT NOT NULL UNIQUE,
            created INTEGER NOT NULL)
          """);

  /** The columns layout 2 added to layout 1's deploys: the kind and the phases' times. */
  private static final List<String> ADDED_IN_2 =
      List.of(
          "kind TEXT NOT NULL DEFAULT 'deploy' CHECK (kind IN ('deploy', 'rollback'))",
          "fetch_ms INTEGER",
          "build_ms INTEGER",
          "deploy_ms INTEGER");

  private Schema() {}

  static void apply(Connection db) throws SQLException {
    try (Statement s = db.createStatement()) {
      // WAL: readers (the API) never wait for the writer (a running deploy's log lines).
      s.execute("PRAGMA journal_mode = WAL");
      s.execute("PRAGMA foreign_keys = ON");
      s.execute("PRAGMA busy_timeout = 5000");
      var version = s.executeQuery("PRAGMA user_version");
      int found = version.next() ? version.getInt(1) : 0;
      if (found > VERSION) {
        throw new SQLException(
            "the history was written by a newer hoist (layout " + found + "); upgrade hoist");
      }
      for (String table : TABLES) {
        s.execute(table);
      }
      if (found == 1) {
        for (String column : ADDED_IN_2) {
          s.execute("ALTER TABLE deploys ADD COLUMN " + column);
        }
      }
      s.execute("PRAGMA user_version = " + VERSION);
    }
  }
}
