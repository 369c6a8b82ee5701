package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * One of Hoist's own root jobs (e.g. {@code hoist-backup}) is gone from the node: when its config
 * {@code configDir/job.json} is there, the job's service or timer is stopped and removed with its
 * config and state, as {@link CronJobsResource} removes an app job. For a setting removed from
 * hoist.yml ({@code backup:}).
 */
public record RootJobAbsent(String app, String job, String configDir, String stateDir)
    implements Resource {

  @Override
  public String id() {
    return "cron-absent:" + app + "/" + job;
  }

  private String config() {
    return configDir + "/" + job + ".json";
  }

  @Override
  public ProbeRequest probe() {
    return new ProbeRequest(id(), new ProbeKind.Exec(Optional.of(config()), List.of()));
  }

  @Override
  public Optional<Change> diff(JsonNode current) {
    if (!current.path("created").asBoolean()) {
      return Optional.empty();
    }
    return Optional.of(
        new Change(
            id(),
            Change.Kind.UPDATE,
            "remove scheduled job " + job,
            List.of("no longer in hoist.yml"),
            "",
            List.of(AgentStep.of(id(), new AgentOp.CronRemove(app, job, configDir, stateDir)))));
  }
}
