package dev.hoist.server.build;

/** What a pipeline run left serving: the commit and the release made from it. */
public record PipelineResult(String commit, String release) {}
