package dev.hoist.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.engine.ServiceResource.Supervisor;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Java and agent.py know exactly the same operations and probe kinds. */
class AgentProtocolTest {
  // Debian's interpreter, the one nodes run.
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  /** Loads agent.py as a module (main() does not run) and prints its dispatch tables' keys. */
  private static final String LIST_TABLES =
      "import json, sys, types\n"
          + "m = types.ModuleType('agent')\n"
          + "exec(compile(sys.stdin.read(), 'agent.py', 'exec'), m.__dict__)\n"
          + "print(json.dumps({'ops': sorted(m.OPS), 'probes': sorted(m.PROBES)}))\n";

  @Test
  void agentDispatchesExactlyTheOpsJavaDeclares() throws Exception {
    assertThat(agentTables().path("ops"))
        .extracting(JsonNode::asText)
        .containsExactlyElementsOf(AgentProtocol.ops());
  }

  @Test
  void agentProbesExactlyTheKindsJavaDeclares() throws Exception {
    assertThat(agentTables().path("probes"))
        .extracting(JsonNode::asText)
        .containsExactlyElementsOf(AgentProtocol.probeKinds());
  }

  @Test
  void everyRecordHasItsOwnWireName() {
    assertThat(AgentProtocol.ops()).hasSize(AgentOp.class.getPermittedSubclasses().length);
    assertThat(AgentProtocol.probeKinds()).hasSize(ProbeKind.class.getPermittedSubclasses().length);
  }

  @Test
  void aStepCarriesItsIdOpAndFinishFlag() {
    AgentStep step = AgentStep.of("unpause", new AgentOp.PathRemove("/x")).finishing();

    assertThat(AgentProtocol.toJson(step).toString())
        .isEqualTo("{\"id\":\"unpause\",\"do\":\"path.remove\",\"path\":\"/x\",\"finish\":true}");
  }

  @Test
  void balancerStepsGiveTimeoutsInSecondsAndTheServersByName() {
    AgentOp.Haproxy lb = new AgentOp.Haproxy("/run/haproxy/admin.sock", "app");
    var ready =
        new AgentOp.LbReady(lb, List.of("web1", "web2"), Duration.ofMillis(1500), List.of("web1"));
    var reload = new AgentOp.LbWaitReload(lb.socket(), Duration.ofSeconds(30), OptionalInt.of(42));

    assertThat(AgentProtocol.toJson(AgentStep.of("ready", ready)).toString())
        .isEqualTo(
            "{\"id\":\"ready\",\"do\":\"lb.ready\",\"socket\":\"/run/haproxy/admin.sock\","
                + "\"backend\":\"app\",\"timeout\":1.5,\"servers\":[\"web1\",\"web2\"],"
                + "\"wait\":[\"web1\"]}");
    assertThat(AgentProtocol.toJson(AgentStep.of("reloaded", reload)).toString())
        .isEqualTo(
            "{\"id\":\"reloaded\",\"do\":\"lb.wait_reload\","
                + "\"socket\":\"/run/haproxy/admin.sock\",\"timeout\":30,\"old_pid\":42}");
  }

  @Test
  void aProbeCarriesItsIdKindAndParameters() {
    var probe = new ProbeRequest("service:nginx", new ProbeKind.Service("nginx", Supervisor.RUNIT));

    assertThat(AgentProtocol.toJson(probe).toString())
        .isEqualTo(
            "{\"id\":\"service:nginx\",\"kind\":\"service\",\"name\":\"nginx\","
                + "\"supervisor\":\"runit\"}");
  }

  @Test
  void theSecretsStepSendsValuesOnTheWireButItsTextNamesKeysOnly() {
    var update =
        new AgentOp.SecretsUpdate(
            "hello",
            "/srv/hello/etc/secrets",
            "/srv/hello/etc/secrets.json",
            "me@admin",
            "2026-12-02T12:00:00Z",
            java.util.Map.of("TOKEN", "hunter2"),
            List.of("OLD"));

    assertThat(AgentProtocol.toJson(AgentStep.of("secrets", update)).toString())
        .isEqualTo(
            "{\"id\":\"secrets\",\"do\":\"secrets.update\",\"app\":\"hello\","
                + "\"file\":\"/srv/hello/etc/secrets\","
                + "\"index\":\"/srv/hello/etc/secrets.json\",\"by\":\"me@admin\","
                + "\"at\":\"2026-12-02T12:00:00Z\",\"set\":{\"TOKEN\":\"hunter2\"},"
                + "\"unset\":[\"OLD\"]}");
    assertThat(update.toString()).contains("TOKEN", "OLD").doesNotContain("hunter2");
    assertThat(AgentStep.of("secrets", update).toString()).doesNotContain("hunter2");
  }

  @Test
  void theSecretsProbesNameTheirFiles() {
    var names = new ProbeRequest("secrets", new ProbeKind.Secrets("/s", "/s.json"));
    var values = new ProbeRequest("values", new ProbeKind.SecretsValues("/s"));

    assertThat(AgentProtocol.toJson(names).toString())
        .isEqualTo(
            "{\"id\":\"secrets\",\"kind\":\"secrets\",\"file\":\"/s\",\"index\":\"/s.json\"}");
    assertThat(AgentProtocol.toJson(values).toString())
        .isEqualTo("{\"id\":\"values\",\"kind\":\"secrets.values\",\"file\":\"/s\"}");
  }

  private static JsonNode agentTables() throws Exception {
    assumeTrue(Files.isExecutable(PYTHON), "needs " + PYTHON);
    byte[] source;
    try (InputStream in = AgentProtocolTest.class.getResourceAsStream("/dev/hoist/node/agent.py")) {
      source = in.readAllBytes();
    }
    Process process =
        new ProcessBuilder(List.of(PYTHON.toString(), "-I", "-c", LIST_TABLES))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (var stdin = process.getOutputStream()) {
      stdin.write(source);
    }
    String out = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return AgentProtocol.json().readTree(out);
  }
}
