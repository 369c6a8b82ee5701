package dev.hoist.fleet;

import dev.hoist.ssh.SshException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/** Sorts what went wrong on a node into a {@link NodeFailure}, keeping the most telling message. */
public final class Failures {
  private Failures() {}

  public static NodeFailure classify(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      NodeFailure.Kind kind = kindOf(t);
      if (kind != null) {
        return new NodeFailure(kind, message(error));
      }
    }
    return new NodeFailure(NodeFailure.Kind.FAILED, message(error));
  }

  private static NodeFailure.Kind kindOf(Throwable t) {
    if (t instanceof SshException ssh) {
      return NodeFailure.Kind.valueOf(ssh.kind().name());
    }
    if (t instanceof InterruptedException) {
      return NodeFailure.Kind.INTERRUPTED;
    }
    if (t instanceof ConnectException
        || t instanceof NoRouteToHostException
        || t instanceof UnknownHostException) {
      return NodeFailure.Kind.UNREACHABLE;
    }
    if (t instanceof IOException
        && t.getMessage() != null
        && t.getMessage().startsWith("timed out")) {
      return NodeFailure.Kind.TIMEOUT;
    }
    return null;
  }

  /** The outermost message; views add the node's name where the message lacks it. */
  private static String message(Throwable error) {
    return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
  }
}
