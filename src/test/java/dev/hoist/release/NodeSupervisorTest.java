package dev.hoist.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.SupervisorChoice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** supervisor: auto|systemd|runit against the node's PID 1. */
class NodeSupervisorTest {
  @Test
  void autoFollowsSystemdAsPid1() throws Exception {
    assertThat(NodeSupervisor.pick(SupervisorChoice.AUTO, "systemd", "web1"))
        .isEqualTo(Supervisor.SYSTEMD);
  }

  /** runit as init, a lab node (runsvdir), this build machine, a container's entry process. */
  @ParameterizedTest
  @ValueSource(strings = {"runit", "runsvdir", "process_api", "tini", "sh", "unknown"})
  void autoUsesRunitWhereHoistCanKeepRunsvdirRunning(String init) throws Exception {
    assertThat(NodeSupervisor.pick(SupervisorChoice.AUTO, init, "web1"))
        .isEqualTo(Supervisor.RUNIT);
  }

  @Test
  void autoRefusesAnotherServiceManagerNamingPid1AndWhatToDo() {
    assertThatThrownBy(() -> NodeSupervisor.pick(SupervisorChoice.AUTO, "init", "web1"))
        .isInstanceOf(DeployException.class)
        .hasMessageStartingWith("web1: PID 1 is 'init'")
        .hasMessageContaining("neither systemd nor runit")
        .hasMessageContaining("apt-get install systemd-sysv")
        .hasMessageContaining("'supervisor: runit'");
  }

  @Test
  void aForcedSupervisorIsUsedAsGiven() throws Exception {
    assertThat(NodeSupervisor.pick(SupervisorChoice.RUNIT, "init", "web1"))
        .isEqualTo(Supervisor.RUNIT);
    assertThat(NodeSupervisor.pick(SupervisorChoice.RUNIT, "systemd", "web1"))
        .isEqualTo(Supervisor.RUNIT);
    assertThat(NodeSupervisor.pick(SupervisorChoice.SYSTEMD, "runsvdir", "web1"))
        .isEqualTo(Supervisor.SYSTEMD);
  }
}
