package dev.hoist.release;

import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.SupervisorChoice;
import java.util.Set;

/**
 * Which supervisor runs the app on a node, from {@code supervisor:} and the node's PID 1: systemd
 * where it is PID 1; runit where runit is PID 1 or where PID 1 is a container's entry process
 * (hoist then starts runsvdir itself, as on lab nodes). A PID 1 that is another boot-time service
 * manager would not bring runsvdir back after a reboot, so auto refuses it.
 */
public final class NodeSupervisor {
  // /proc/1/comm of service managers that are neither systemd nor runit: sysvinit, upstart and
  // busybox all show "init".
  private static final Set<String> OTHER_MANAGERS =
      Set.of("init", "openrc-init", "s6-svscan", "upstart");

  private NodeSupervisor() {}

  /**
   * @param init PID 1's command name on the node ({@code /proc/1/comm}, the agent's facts)
   * @throws DeployException naming PID 1 and what to do when auto finds no usable supervisor
   */
  public static Supervisor pick(SupervisorChoice choice, String init, String node)
      throws DeployException {
    return switch (choice) {
      case SYSTEMD -> Supervisor.SYSTEMD;
      case RUNIT -> Supervisor.RUNIT;
      case AUTO -> {
        if (init.equals("systemd")) {
          yield Supervisor.SYSTEMD;
        }
        if (OTHER_MANAGERS.contains(init)) {
          throw new DeployException(
              node
                  + ": PID 1 is '"
                  + init
                  + "', a service manager that is neither systemd nor runit, so the app would not"
                  + " come back after a reboot; boot the node with systemd (apt-get install"
                  + " systemd-sysv) or runit (apt-get install runit-init), or set 'supervisor:"
                  + " runit' in hoist.yml to have hoist start runsvdir itself",
              null);
        }
        yield Supervisor.RUNIT;
      }
    };
  }
}
