package dev.hoist.project;

import java.time.Duration;
import java.util.List;

/**
 * An extra supervised daemon (a celery worker, a scheduler), run as the app user in the app's
 * environment.
 */
public record ProcessSpec(String name, List<String> command, Duration stopTimeout) {}
