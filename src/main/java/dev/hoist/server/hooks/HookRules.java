package dev.hoist.server.hooks;

import java.util.List;

/**
 * What a project's webhook must pass: the provider's signature under the project's secret, a push
 * to {@code branch}, and (when {@code watch} is not empty) a change to one of the watched paths.
 */
public record HookRules(
    Provider provider, WebhookSecret secret, String branch, List<String> watch) {
  public HookRules {
    watch = List.copyOf(watch);
  }
}
