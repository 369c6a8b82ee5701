package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first deploy of examples/hello to 10 lab nodes at once. Ten nodes installing and starting
 * gunicorn together load this machine enough that a master binds its socket seconds after start:
 * the health gate must wait for a starting app (health.start_period) rather than count nginx's 502
 * as a failure.
 */
class FirstDeployIT {
  private static final int NODES = 10;

  @TempDir static Path tmp;

  @AfterAll
  static void down() throws Exception {
    LabNodes.down();
  }

  @Test
  void helloGoesToTenFreshNodesAtOnceAndServesOnEvery() throws Exception {
    List<LabNodes.Node> nodes = LabNodes.up(NODES);
    Path project = Hoist.copyExample("hello", "hello", "tenhello", tmp);
    Path yml = project.resolve("hoist.yml");
    String names = nodes.stream().map(LabNodes.Node::name).collect(Collectors.joining(", "));
    Files.writeString(
        yml,
        Files.readString(yml)
            + "\n"
            + LabNodes.nodesYaml("root")
            + "\nenvironments:\n  lab: ["
            + names
            + "]\n");

    long start = System.nanoTime();
    Hoist.Result first = Hoist.run("deploy", project.toString(), "--env", "lab");
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.println("FirstDeployIT: first deploy to " + NODES + " nodes took " + millis + " ms");

    assertThat(first.exit()).as(first.all()).isZero();
    assertThat(first.out()).contains(NODES + " of " + NODES + " nodes deployed");
    for (LabNodes.Node n : nodes) {
      Http.Response r = Http.get(n.address(), "tenhello.test", "/");
      assertThat(r.status()).as(n.name()).isEqualTo(200);
      assertThat(r.body()).as(n.name()).contains("Hello");
    }
  }
}
