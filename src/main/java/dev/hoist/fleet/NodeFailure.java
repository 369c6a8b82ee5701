package dev.hoist.fleet;

/** Why a command failed on one node, sorted into the causes a report groups by. */
public record NodeFailure(Kind kind, String message) {
  /** The causes a user acts on differently. */
  public enum Kind {
    UNREACHABLE("unreachable"),
    AUTH_REFUSED("auth refused"),
    HOST_UNKNOWN("host key unknown"),
    HOST_KEY_CHANGED("HOST KEY CHANGED"),
    SUDO_PASSWORD("sudo needs a password"),
    TIMEOUT("timed out"),
    CONNECTION_LOST("connection lost"),
    FAILED("failed"),
    SKIPPED("skipped"),
    INTERRUPTED("interrupted");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    /** How a table shows it. */
    public String label() {
      return label;
    }

    /** The node was never worked on: it could not be reached or logged into. */
    public boolean isConnection() {
      return this != FAILED && this != SKIPPED && this != INTERRUPTED;
    }
  }
}
