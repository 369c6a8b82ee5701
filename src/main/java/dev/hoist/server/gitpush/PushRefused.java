package dev.hoist.server.gitpush;

/** A push this server will not take, with what to do instead; shown to the pusher as it is. */
public final class PushRefused extends Exception {
  private static final long serialVersionUID = 1L;

  public PushRefused(String message) {
    super(message);
  }
}
