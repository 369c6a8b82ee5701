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

  /** Every other answer: nothing is deployed, the status and the line say why. */
  record Answered(int status, String message) implements HookDecision {}

  /** A verified request that asks for nothing to be deployed (202), with the reason. */
  static HookDecision ignored(String reason) {
    return new Answered(202, reason);
  }

  /** A verified ping (200). */
  static HookDecision pong() {
    return new Answered(200, "pong");
  }

  /** A delivery id seen before (200, so the sender stops retrying); nothing is done again. */
  static HookDecision duplicate(String deliveryId) {
    return new Answered(200, "delivery " + deliveryId + " was already received; ignored");
  }

  /** A missing or wrong signature (401); the reason is logged and answered. */
  static HookDecision refused(String reason) {
    return new Answered(401, reason);
  }

  /** A body over {@link HookGate#MAX_BODY} (413), refused before its signature is computed. */
  static HookDecision tooLarge() {
    return new Answered(
        413, "the body is larger than " + HookGate.MAX_BODY / (1024 * 1024) + " MiB");
  }

  /** A verified body that is not a push Hoist can read (400). */
  static HookDecision malformed(String reason) {
    return new Answered(400, reason);
  }
}
