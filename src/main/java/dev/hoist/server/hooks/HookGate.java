package dev.hoist.server.hooks;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides what to do with one webhook request, without I/O: size, then signature, then replay, then
 * the event, the branch and the watched paths. Nothing in the body is read before the signature
 * over it held.
 */
public final class HookGate {
  /** The largest body accepted: 5 MiB (a push payload with thousands of commits is far less). */
  public static final int MAX_BODY = 5 * 1024 * 1024;

  private final DeliveryCache deliveries;

  public HookGate(DeliveryCache deliveries) {
    this.deliveries = deliveries;
  }

  public HookDecision decide(String project, HookRules rules, HookRequest request, Instant now) {
    if (request.length() > MAX_BODY) {
      return HookDecision.tooLarge();
    }
    if (rules.secret().isEmpty()) {
      return HookDecision.refused(
          "the project has no secret_file, so no webhook can be checked and none is taken (it"
              + " deploys what is pushed to the server)");
    }
    Verification verification =
        SignatureScheme.of(rules.provider()).verify(request, rules.secret().get(), now);
    if (verification instanceof Verification.Refused refused) {
      return HookDecision.refused(refused.reason());
    }
    Verification.Verified verified = (Verification.Verified) verification;
    Optional<String> id = verified.deliveryId();
    if (id.isPresent() && !deliveries.firstTime(project, id.get())) {
      return HookDecision.duplicate(id.get());
    }
    String event = verified.event().toLowerCase(Locale.ROOT);
    if (event.equals("ping")) {
      return HookDecision.pong();
    }
    if (!event.equals("push") && !event.equals("push hook")) {
      return HookDecision.ignored(
          "event '" + verified.event() + "' is not a push; nothing to deploy");
    }
    PushEvent push;
    try {
      push = PushParser.parse(request.body());
    } catch (PushParser.MalformedPayload e) {
      return HookDecision.malformed(e.getMessage());
    }
    return onBranch(rules, push);
  }

  private static HookDecision onBranch(HookRules rules, PushEvent push) {
    if (!push.branch().equals(Optional.of(rules.branch()))) {
      return HookDecision.ignored(
          "push to " + push.ref() + ", not to branch " + rules.branch() + "; nothing to deploy");
    }
    if (push.deleted()) {
      return HookDecision.ignored("branch " + rules.branch() + " was deleted; nothing to deploy");
    }
    if (!rules.watch().isEmpty()
        && push.changedPaths().isPresent()
        && !WatchPaths.touched(rules.watch(), push.changedPaths().get())) {
      return HookDecision.ignored(
          "the push changes nothing under "
              + String.join(", ", rules.watch())
              + "; nothing to deploy");
    }
    return new HookDecision.Accepted(push);
  }
}
