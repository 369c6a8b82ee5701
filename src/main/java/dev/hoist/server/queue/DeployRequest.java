package dev.hoist.server.queue;

/**
 * A commit of a project to deploy, and what asked for it ({@code trigger}: e.g. "webhook github
 * <delivery>", "api token ci").
 */
public record DeployRequest(
    String project, String commit, String author, String message, String trigger) {}
