package dev.hoist.server.hooks;

import java.util.List;
import java.util.Optional;

/**
 * What a project's webhook must pass: the provider's signature under the project's secret, a push
 * to {@code branch}, and (when {@code watch} is not empty) a change to one of the watched paths. A
 * project without a secret (one fed only by {@code git push} to the server) takes no webhook.
 */
public record HookRules(
    Provider provider, Optional<WebhookSecret> secret, String branch, List<String> watch) {
  public HookRules {
    watch = List.copyOf(watch);
  }
}
