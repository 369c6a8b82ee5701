package dev.hoist.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.node.ExecRequest;
import dev.hoist.node.ExecResult;
import dev.hoist.node.Node;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the runner is called and its answers read: status JSON, the drill's result line. */
class DataRunnerTest {
  /** A node that answers every command with one canned result and records the argv. */
  static final class Canned implements Node {
    final ExecResult answer;
    final List<List<String>> ran = new ArrayList<>();

    Canned(ExecResult answer) {
      this.answer = answer;
    }

    @Override
    public String name() {
      return "db1";
    }

    @Override
    public ExecResult exec(ExecRequest request) {
      ran.add(request.argv());
      return answer;
    }

    @Override
    public int interactive(List<String> argv, boolean tty) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void statusReadsStdout() throws Exception {
    Canned node =
        new Canned(
            new ExecResult(
                0,
                "{\"app\": \"shop\", \"backups\": []}\n",
                "{\"event\": \"result\", \"ok\": true}"));

    JsonNode status = new DataRunner(node).status("shop");

    assertThat(status.path("app").asText()).isEqualTo("shop");
    assertThat(node.ran).containsExactly(List.of(DataRunner.PATH, "status", "--app", "shop"));
  }

  @Test
  void aFailedDrillIsItsResultLine() throws Exception {
    Canned node =
        new Canned(
            new ExecResult(
                1,
                "",
                "pg_restore: noise\n{\"event\": \"progress\", \"part\": \"postgres\"}\n"
                    + "{\"event\": \"result\", \"ok\": false, \"error\": \"drill_check (sql)"
                    + " failed: relation missing\"}\n"));

    JsonNode result = new DataRunner(node).drill("shop");

    assertThat(result.path("ok").asBoolean()).isFalse();
    assertThat(result.path("error").asText()).contains("relation missing");
  }

  @Test
  void aMissingRunnerSaysToDeployServices() {
    Canned node = new Canned(new ExecResult(127, "", "No such file or directory"));

    assertThatThrownBy(() -> new DataRunner(node).status("shop"))
        .isInstanceOf(DataRunner.Failed.class)
        .hasMessageContaining("deploy the app with 'services:'");
  }

  @Test
  void aStatusFailureCarriesTheRunnersError() {
    Canned node =
        new Canned(
            new ExecResult(
                2, "", "{\"event\": \"result\", \"ok\": false, \"error\": \"bad app\"}"));

    assertThatThrownBy(() -> new DataRunner(node).status("shop"))
        .isInstanceOf(DataRunner.Failed.class)
        .hasMessage("bad app");
  }
}
