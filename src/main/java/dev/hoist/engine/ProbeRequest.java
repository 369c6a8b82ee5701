package dev.hoist.engine;

/** One thing a probe reads; its answer comes back under {@code id}. */
public record ProbeRequest(String id, ProbeKind kind) {}
