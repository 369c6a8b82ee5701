package dev.hoist.server.http;

import dev.hoist.server.ServerConfig;
import dev.hoist.server.history.History;
import dev.hoist.server.hooks.HookGate;
import dev.hoist.server.run.Deploys;
import dev.hoist.server.run.Metrics;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * What the HTTP side answers from: the configuration, the history, the deploys, the counters, the
 * webhook gate, the clock, and where the server's log lines go (never a secret in them).
 */
public record Backend(
    ServerConfig config,
    History history,
    Deploys deploys,
    Metrics metrics,
    HookGate gate,
    Clock clock,
    Consumer<String> log) {}
