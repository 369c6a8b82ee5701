package dev.hoist.server.hooks;

/** The answer to one webhook request: an HTTP status, a line saying why, and what to do next. */
public sealed interface HookDecision {
  int status();

  String message();

  /** A push to deploy (202): the deploy queue takes it. */
  record Accepted(PushEvent push) implements HookDecision {
    @Override
    public int status() {
      return 202;
    }

    @Override
    public String message() {
      return "accepted: " + push.after() + " on " + push.branch().orElse(push.ref());
    }
  }

  /** A verified request that asks for nothing to be deployed (202), with the reason. */
  record Ignored(String message) implements HookDecision {
    @Override
    public int status() {
      return 202;
    }
  }

  /** A verified ping (200). */
  record Pong() implements HookDecision {
    @Override
    public int status() {
      return 200;
    }

    @Override
    public String message() {
      return "pong";
    }
  }

  /** A delivery id seen before (200, so the sender stops retrying); nothing is done again. */
  record Duplicate(String deliveryId) implements HookDecision {
    @Override
    public int status() {
      return 200;
    }

    @Override
    public String message() {
      return "delivery " + deliveryId + " was already received; ignored";
    }
  }

  /** A missing or wrong signature (401); the reason is logged and answered. */
  record Refused(String message) implements HookDecision {
    @Override
    public int status() {
      return 401;
    }
  }

  /** A body over {@link HookGate#MAX_BODY} (413), refused before its signature is computed. */
  record TooLarge() implements HookDecision {
    @Override
    public int status() {
      return 413;
    }

    @Override
    public String message() {
      return "the body is larger than " + HookGate.MAX_BODY / (1024 * 1024) + " MiB";
    }
  }

  /** A verified body that is not a push Hoist can read (400). */
  record Malformed(String message) implements HookDecision {
    @Override
    public int status() {
      return 400;
    }
  }
}
