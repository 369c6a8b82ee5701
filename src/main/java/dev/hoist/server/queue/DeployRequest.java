package dev.hoist.server.queue;

import java.util.Locale;

/**
 * A commit of a project to deploy (null: the branch head), or a rollback, and what asked for it
 * ({@code trigger}: e.g. "webhook github <delivery>", "api token ci").
 */
public record DeployRequest(
    String project, String commit, String author, String message, String trigger, Kind kind) {

  /** A deploy of a commit, or a switch back to the previous release. */
  public enum Kind {
    DEPLOY,
    ROLLBACK;

    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A deploy (not a rollback). */
  public DeployRequest(
      String project, String commit, String author, String message, String trigger) {
    this(project, commit, author, message, trigger, Kind.DEPLOY);
  }
}
