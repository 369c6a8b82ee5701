package dev.hoist.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
