package dev.hoist.server.http;

/** An API request answered with an error: its status, what is wrong, what to do. */
final class Problem extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String fix;

  Problem(int status, String error, String fix) {
    super(error, null, false, false);
    this.status = status;
    this.fix = fix;
  }

  int status() {
    return status;
  }

  String fix() {
    return fix;
  }
}
