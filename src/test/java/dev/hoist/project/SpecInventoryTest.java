package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nodes: and environments: in hoist.yml and in the user's config, and how the two combine. */
class SpecInventoryTest {
  @TempDir Path dir;
  TestProject project;

  @BeforeEach
  void setUp() {
    project = new TestProject(dir);
  }

  @Test
  void readsNodesInFullAndShortForm() throws Exception {
    Spec spec =
        project.loadWith(
            """
        nodes:
          web1: {host: 10.0.0.11, user: deploy, port: 2222, key: keys/id_ed25519, known_hosts: ~/kh}
          web2: deploy@web2.example.com:2200
          web3: 10.0.0.13
        """);

    NodeSpec web1 = spec.inventory().nodes().get("web1");
    assertThat(web1.host()).isEqualTo("10.0.0.11");
    assertThat(web1.port()).isEqualTo(2222);
    assertThat(web1.user()).isEqualTo("deploy");
    assertThat(web1.keys()).containsExactly(dir.resolve("keys/id_ed25519"));
    assertThat(web1.knownHosts()).contains(Path.of(System.getProperty("user.home"), "kh"));
    assertThat(web1.origin()).endsWith("hoist.yml:4:9");
    assertThat(spec.inventory().nodes().get("web2").address())
        .isEqualTo("deploy@web2.example.com:2200");
    assertThat(spec.inventory().nodes().get("web3").address()).isEqualTo("root@10.0.0.13");
  }

  @Test
  void readsEnvironmentsWithRoles() throws Exception {
    Spec spec =
        project.loadWith(
            """
        nodes: {a: 10.0.0.1, b: 10.0.0.2, c: 10.0.0.3, d: 10.0.0.4}
        environments:
          stage: [a]
          live: {web: [a, b], worker: c, lb: d}
          old: {nodes: [b]}
        """);

    var envs = spec.inventory().environments();
    assertThat(envs.get("stage").roles().get("web"))
        .extracting(EnvironmentSpec.NodeRef::name)
        .containsExactly("a");
    assertThat(envs.get("live").refs())
        .extracting(EnvironmentSpec.NodeRef::name)
        .containsExactly("a", "b", "c", "d");
    assertThat(envs.get("live").rolesOf("c")).containsExactly("worker");
    assertThat(envs.get("old").rolesOf("b")).containsExactly("web");
  }

  @Test
  void anLbMappingSaysWhetherWebNodesAnswerOnlyTheBalancer() throws Exception {
    Spec spec =
        project.loadWith(
            """
        nodes: {a: 10.0.0.1, b: 10.0.0.2, d: 10.0.0.4}
        environments:
          live: {web: [a, b], lb: {node: d, only: true}}
          open: {web: [a], lb: {node: [d]}}
          old: {web: [b], lb: d}
        """);

    var envs = spec.inventory().environments();
    assertThat(envs.get("live").lbOnly()).isTrue();
    assertThat(envs.get("live").rolesOf("d")).containsExactly("lb");
    assertThat(envs.get("open").lbOnly()).isFalse();
    assertThat(envs.get("open").rolesOf("d")).containsExactly("lb");
    assertThat(envs.get("old").lbOnly()).isFalse();
    assertThat(envs.get("old").rolesOf("d")).containsExactly("lb");
  }

  @Test
  void badLbMappingsPointAtThemselves() {
    List<SpecProblem> problems =
        project.problems(
            TestProject.MINIMAL
                + """
        nodes: {a: 10.0.0.1, d: 10.0.0.4}
        environments:
          one: {web: [a], lb: {only: true}}
          two: {web: [a], lb: {node: d, only: maybe}}
          three: {web: [a], lb: {node: d, onyl: true}}
        """);

    assertThat(problems)
        .extracting(TestProject::where)
        .containsExactly(
            "5:23: environments.one.lb.node: required key is missing",
            "6:39: environments.two.lb.only: expected true or false, found 'maybe'",
            "7:35: environments.three.lb.onyl: unknown key");
    assertThat(problems.getFirst().hint()).contains("add e.g. 'node: lb1'");
    assertThat(problems.getLast().hint()).contains("did you mean 'only'?");
  }

  @Test
  void badNodeValuesPointAtThemselves() {
    List<SpecProblem> problems =
        project.problems(
            TestProject.MINIMAL
                + """
        nodes:
          web1: {host: "bad host", port: 70000, user: Root}
          web2: {user: deploy}
          Web3: 10.0.0.3
          web4: {host: a, hots: b}
        """);

    assertThat(problems)
        .extracting(TestProject::where)
        .containsExactly(
            "4:16: nodes.web1.host: expected a hostname or IP address, found 'bad host'",
            "4:34: nodes.web1.port: expected a number from 1 to 65535, found '70000'",
            "4:47: nodes.web1.user: expected a Unix user name, found 'Root'",
            "5:9: nodes.web2.host: required key is missing",
            "6:3: nodes.Web3: expected a name of lowercase letters, digits, '.', '_' and '-', found 'Web3'",
            "7:19: nodes.web4.hots: unknown key");
    assertThat(problems.getLast().hint()).contains("did you mean 'host'?");
  }

  @Test
  void environmentNamingAnUnknownNodeSuggestsTheClosest() throws Exception {
    Spec spec =
        project.loadWith(
            """
        nodes: {web1: 10.0.0.1}
        environments:
          live: [wbe1]
        """);

    SpecException e =
        catchThrowableOfType(
            SpecException.class, () -> UserConfig.inventoryFor(spec, dir.resolve("no-config.yml")));

    assertThat(e.getMessage())
        .contains("hoist.yml:5:10: environments.live: no node named 'wbe1'")
        .contains("did you mean 'web1'?");
  }

  @Test
  void userConfigNodesServeTheProjectAndTheProjectWins() throws Exception {
    Path config = dir.resolve("config.yml");
    Files.writeString(
        config,
        """
        nodes:
          web1: {host: 10.0.0.1, key: id_lab}
          shared: 10.0.0.9
        environments:
          lab: [web1, shared]
        """);
    Spec spec =
        project.loadWith(
            """
        nodes: {web1: deploy@10.0.0.5}
        environments: {live: [web1, shared]}
        """);

    Inventory inv = UserConfig.inventoryFor(spec, config);

    assertThat(inv.nodes().get("web1").address()).isEqualTo("deploy@10.0.0.5");
    assertThat(inv.nodes().get("shared").host()).isEqualTo("10.0.0.9");
    assertThat(inv.environments()).containsKeys("lab", "live");
  }

  @Test
  void userConfigProblemsNameTheConfigFile() throws Exception {
    Path config = dir.resolve("config.yml");
    Files.writeString(config, "nodes:\n  web1: {host: 10.0.0.1}\nenvironmnets: {}\n");
    Spec spec = project.loadWith("");

    SpecException e =
        catchThrowableOfType(SpecException.class, () -> UserConfig.inventoryFor(spec, config));

    assertThat(e.problems()).extracting(SpecProblem::file).containsOnly(config.toString());
    assertThat(e.getMessage())
        .contains(":3:1: environmnets: unknown key")
        .contains("did you mean 'environments'?");
  }

  @Test
  void jumpCyclesAreRefused() throws Exception {
    Spec spec =
        project.loadWith(
            """
        nodes:
          a: {host: 10.0.0.1, jump: b}
          b: {host: 10.0.0.2, jump: a}
        """);

    SpecException e =
        catchThrowableOfType(
            SpecException.class, () -> UserConfig.inventoryFor(spec, dir.resolve("none.yml")));

    assertThat(e.getMessage()).contains("jump hosts go round in a circle: a -> b -> a");
  }

  @Test
  void jumpMayBeAnAddressAndNotItself() {
    assertThat(project.problemWith("nodes: {a: {host: h, jump: a}}\n").message())
        .isEqualTo("a node cannot be its own jump host");
    assertThat(NodeAddress.parse("ops@[fe80::1]:2222"))
        .isEqualTo(new NodeAddress(Optional.of("ops"), "fe80::1", Optional.of(2222)));
  }
}
