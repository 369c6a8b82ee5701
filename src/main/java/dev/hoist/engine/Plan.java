package dev.hoist.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The changes a node needs, in dependency order, plus the changes of resources left to the caller
 * ({@code deferred}: e.g. the app server, which the release starts or reloads itself after it
 * switches).
 */
public record Plan(List<Change> changes, Map<String, Change> deferred) {
  public Plan {
    changes = List.copyOf(changes);
    deferred = Map.copyOf(deferred);
  }

  public boolean isEmpty() {
    return changes.isEmpty() && deferred.isEmpty();
  }

  /**
   * The agent steps: every package install folded into one apt-get run at the first one; deferred
   * changes contribute all but their last step (a service is enabled now, started by the caller);
   * and every service is enabled before the first one starts, so the supervisor's one scan finds
   * them all: except a service whose own files are written after that start (a job added after the
   * data services on a fresh node), which is enabled where it was, after its files.
   */
  public List<AgentStep> steps() {
    List<AgentStep> all = new ArrayList<>();
    changes.forEach(c -> all.addAll(c.steps()));
    deferred.values().forEach(c -> all.addAll(c.steps().subList(0, c.steps().size() - 1)));
    int firstUp = indexOfFirstUp(all);
    List<AgentStep> enables =
        all.stream()
            .filter(
                s ->
                    s.op() instanceof AgentOp.ServiceEnable e
                        && (firstUp < 0 || !filesAfter(all, firstUp, e.service())))
            .toList();
    List<String> packages = new ArrayList<>();
    List<AgentStep> out = new ArrayList<>();
    int aptAt = -1;
    boolean enabled = false;
    for (AgentStep step : all) {
      switch (step.op()) {
        case AgentOp.ServiceEnable e -> {
          if (!enables.contains(step)) {
            out.add(step);
          }
        }
        case AgentOp.AptInstall apt -> {
          if (aptAt < 0) {
            aptAt = out.size();
            out.add(step);
          }
          packages.addAll(apt.names());
        }
        default -> {
          if (!enabled && step.op() instanceof AgentOp.ServiceUp) {
            out.addAll(enables);
            enabled = true;
          }
          out.add(step);
        }
      }
    }
    if (aptAt >= 0) {
      out.set(aptAt, AgentStep.of("packages", new AgentOp.AptInstall(packages)));
    }
    if (!enabled) {
      out.addAll(enables);
    }
    return out;
  }

  private static int indexOfFirstUp(List<AgentStep> steps) {
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).op() instanceof AgentOp.ServiceUp) {
        return i;
      }
    }
    return -1;
  }

  /** Whether a step after {@code from} writes the service's own definition (run script, unit). */
  private static boolean filesAfter(List<AgentStep> steps, int from, AgentOp.Service service) {
    String name = service.name();
    String own =
        service.supervisor() == ServiceResource.Supervisor.RUNIT
            ? "/etc/sv/" + name + "/"
            : "/etc/systemd/system/" + name.replaceFirst("\\.(service|timer)$", "") + ".";
    for (AgentStep step : steps.subList(from, steps.size())) {
      String path =
          switch (step.op()) {
            case AgentOp.FileWrite f -> f.path();
            case AgentOp.DirEnsure d -> d.path() + "/";
            case AgentOp.LinkEnsure l -> l.path();
            default -> "";
          };
      if (path.startsWith(own)) {
        return true;
      }
    }
    return false;
  }
}
