package dev.hoist.ops;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hoist.engine.Engine;
import dev.hoist.engine.ProbeKind;
import dev.hoist.engine.ProbeRequest;
import dev.hoist.engine.ServiceResource;
import dev.hoist.health.HealthCheck;
import dev.hoist.node.AgentException;
import dev.hoist.release.ReleaseState;
import dev.hoist.stack.AppLayout;
import dev.hoist.stack.Stack;
import dev.hoist.stack.TlsProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads, in one round trip, what is live: the release, each supervised process, health, and the
 * app's certificate when the node ends TLS.
 */
public final class Status {
  /** One supervised process. */
  @SuppressWarnings("AvoidCommonTypeNames") // always named as Status.Process outside this class
  public record Process(
      String service, String state, Optional<Integer> pid, Optional<Long> uptimeSeconds) {}

  /**
   * A scheduled job installed on the node, with its last run (all empty before the first run;
   * {@code result}: running, ok, failed, timeout or killed).
   */
  public record Job(
      String name,
      String schedule,
      Optional<String> lastStart,
      Optional<String> lastEnd,
      Optional<Integer> exit,
      Optional<Double> durationSeconds,
      Optional<String> result) {

    static Job of(String name, String schedule, JsonNode state) {
      return new Job(
          name,
          state.path("schedule").asText(schedule),
          text(state, "start"),
          text(state, "end"),
          state.path("exit").isInt() ? Optional.of(state.get("exit").asInt()) : Optional.empty(),
          state.path("duration").isNumber()
              ? Optional.of(state.get("duration").asDouble())
              : Optional.empty(),
          text(state, "result"));
    }

    private static Optional<String> text(JsonNode state, String field) {
      return state.path(field).isTextual()
          ? Optional.of(state.get(field).asText())
          : Optional.empty();
    }
  }

  /**
   * What {@code hoist status} shows; {@code tls}: the agent's answer on the app's certificate there
   * (for the tls package to read; not printed as is).
   */
  public record Report(
      String node,
      String app,
      Optional<String> release,
      Optional<String> prepared,
      int releases,
      List<Process> processes,
      List<Job> jobs,
      boolean healthy,
      String health,
      String url,
      Optional<String> balancer,
      @JsonIgnore JsonNode tls) {

    /**
     * The same report, with how the environment's load balancer sees this node (UP, MAINT, ...).
     */
    public Report inBalancer(String state) {
      return new Report(
          node,
          app,
          release,
          prepared,
          releases,
          processes,
          jobs,
          healthy,
          health,
          url,
          Optional.of(state),
          tls);
    }
  }

  private final Engine engine;

  public Status(Engine engine) {
    this.engine = engine;
  }

  public Report read(Stack stack, HealthCheck health) throws AgentException, InterruptedException {
    List<ServiceResource> services = new ArrayList<>();
    services.add(stack.appService());
    services.addAll(stack.processServices());
    services.add(
        new ServiceResource(
            "nginx",
            stack.appService().supervisor(),
            ServiceResource.Refresh.RELOAD,
            java.time.Duration.ofSeconds(10)));
    List<ProbeRequest> probes = new ArrayList<>();
    services.forEach(s -> probes.add(s.probe()));
    probes.add(new ProbeRequest("release", new ProbeKind.Release(stack.layout().root())));
    if (stack.spec().tls().on()) {
      probes.add(TlsProbe.of(stack.layout()));
    }
    AppLayout layout = stack.layout();
    probes.add(new ProbeRequest("cron", new ProbeKind.Cron(layout.cronConfigDir())));
    for (String job : stack.spec().cron().keySet()) {
      probes.add(
          new ProbeRequest(
              "cron:" + job, new ProbeKind.Json(layout.cronStateDir() + "/" + job + ".json")));
    }
    Engine.Probe probe = engine.probe(probes, Optional.of(health.once()));
    List<Process> processes = new ArrayList<>();
    for (ServiceResource s : services) {
      JsonNode st = probe.states().getOrDefault(s.id(), MissingNode.getInstance());
      String state =
          !st.path("enabled").asBoolean() ? "not installed" : st.path("state").asText("unknown");
      processes.add(
          new Process(
              s.name(),
              state,
              st.path("pid").isInt() ? Optional.of(st.get("pid").asInt()) : Optional.empty(),
              st.path("uptime").isNumber() && "run".equals(state)
                  ? Optional.of(st.get("uptime").asLong())
                  : Optional.empty()));
    }
    // Only the jobs installed here: they run on one node of the environment.
    List<Job> jobs = new ArrayList<>();
    for (JsonNode name :
        probe.states().getOrDefault("cron", MissingNode.getInstance()).path("jobs")) {
      JsonNode state =
          probe.states().getOrDefault("cron:" + name.asText(), MissingNode.getInstance());
      dev.hoist.project.CronJob spec = stack.spec().cron().get(name.asText());
      jobs.add(
          Job.of(name.asText(), spec == null ? "" : spec.schedule().text(), state.path("value")));
    }
    ReleaseState releases =
        ReleaseState.from(probe.states().getOrDefault("release", MissingNode.getInstance()));
    JsonNode h = probe.health().orElse(MissingNode.getInstance());
    return new Report(
        engine.agent().node().name(),
        stack.spec().app(),
        releases.current(),
        releases.prepared(Optional.empty()).map(ReleaseState.Release::id),
        releases.releases().size(),
        processes,
        jobs,
        h.path("ok").asBoolean(),
        h.path("detail").asText("not checked"),
        health.url(),
        Optional.empty(),
        probe.states().getOrDefault(TlsProbe.ID, MissingNode.getInstance()));
  }
}
