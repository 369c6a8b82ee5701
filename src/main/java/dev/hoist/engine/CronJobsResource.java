package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The app's scheduled jobs on a node are exactly {@code keep}: a job found there that hoist.yml no
 * longer has, or that now runs on another node of the environment, is stopped and removed. Hoist's
 * own root jobs (scheduled backups) are not listed by the probe, so never removed here.
 */
public record CronJobsResource(String app, List<String> keep, String configDir, String stateDir)
    implements Resource {

  public CronJobsResource {
    keep = List.copyOf(keep);
  }

  @Override
  public String id() {
    return "cron:" + app;
  }

  @Override
  public ProbeRequest probe() {
    return new ProbeRequest(id(), new ProbeKind.Cron(configDir));
  }

  @Override
  public Optional<Change> diff(JsonNode current) {
    List<String> gone = new ArrayList<>();
    current.path("jobs").forEach(j -> gone.add(j.asText()));
    gone.removeAll(keep);
    if (gone.isEmpty()) {
      return Optional.empty();
    }
    List<AgentStep> steps =
        gone.stream()
            .map(job -> AgentStep.of(id(), new AgentOp.CronRemove(app, job, configDir, stateDir)))
            .toList();
    String why =
        keep.isEmpty()
            ? "no job of this app runs on this node"
            : "not in hoist.yml's cron: (or not placed here)";
    return Optional.of(
        new Change(
            id(),
            Change.Kind.UPDATE,
            "remove scheduled job" + (gone.size() > 1 ? "s " : " ") + String.join(", ", gone),
            List.of(why),
            "",
            steps));
  }
}
