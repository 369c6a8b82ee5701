package dev.hoist.lab;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Optional;

/**
 * A lab node as it is now: running (with its PID 1 as this machine sees it, memory and uptime) or
 * stopped; {@code init} is "runit" or "systemd".
 */
public record NodeStatus(
    String name,
    String address,
    String init,
    String state,
    Optional<Long> pid,
    @JsonProperty("memory_kib") Optional<Long> memoryKib,
    @JsonProperty("uptime_seconds") Optional<Long> uptimeSeconds) {
  public static final String RUNNING = "running";
  public static final String STOPPED = "stopped";

  public boolean running() {
    return RUNNING.equals(state);
  }
}
