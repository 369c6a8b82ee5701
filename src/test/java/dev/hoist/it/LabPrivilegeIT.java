package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same rules on a runit lab node over real SSH: acting as the app user there (setpriv, through
 * {@code ssh root@node}), the env file, current and hoist's failed markers are out of reach.
 */
class LabPrivilegeIT {
  static final String APP = "labpriv";
  @TempDir static Path tmp;
  static LabNodes.Node node;

  @BeforeAll
  static void lab() throws Exception {
    node = LabNodes.up(1).get(0);
  }

  @Test
  void theAppUserOnALabNodeCannotEscalate() throws Exception {
    Path project =
        HelloCopy.make(
            APP,
            tmp,
            LabNodes.nodesYaml("root") + "\nenvironments:\n  lab: [" + node.name() + "]\n");
    Hoist.Result r = Hoist.run("deploy", project.toString(), "--env", "lab");
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(Http.get(node.address(), APP + ".test", "/").status()).isEqualTo(200);

    AsApp app = AsApp.on(node, APP);
    Escalations.assertActingAsTheApp(app);
    String before = Escalations.fingerprint(app);
    Escalations.assertEachFails(app, Escalations.CORE);
    assertThat(Escalations.fingerprint(app)).isEqualTo(before);
    Http.Response after = Http.get(node.address(), APP + ".test", "/");
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.body()).contains("Hello from hoist!");
  }
}
