package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pushed hoist.yml that hoist server (maybe root) deploys names no file of the server's machine:
 * no SSH key or known_hosts at all, PEM files only from the project tree. The admin's CLI keeps
 * reading them wherever they are.
 */
class SpecPushedPathsTest {
  private static final String NODE = "nodes:\n  web1:\n    host: 10.0.0.11\n";

  @TempDir Path tmp;
  Path outside;
  TestProject project;

  @BeforeEach
  void setUp() throws Exception {
    project = new TestProject(Files.createDirectories(tmp.resolve("shop")));
    // Another project's private key on the server's machine.
    outside = Files.createDirectories(tmp.resolve("tls/other")).resolve("privkey.pem");
    Files.writeString(outside, "-----BEGIN PRIVATE KEY-----\n");
    project.file("certs/site.pem", "-----BEGIN CERTIFICATE-----\n");
  }

  @Test
  void aNodeKeyIsRefusedAtItsPlaceSayingTheServerUsesItsOwn() throws Exception {
    String yml = NODE + "    key: /root/.ssh/id_ed25519\n";

    SpecProblem p = project.pushedProblemWith(yml);

    assertThat(TestProject.where(p))
        .isEqualTo(
            "6:10: nodes.web1.key: hoist server does not allow this in a pushed hoist.yml: the"
                + " server reaches nodes with its own SSH key and known_hosts");
    assertThat(p.hint().orElseThrow()).contains("its own key").contains("config.yml");
    // The admin's own deploy still logs in with the key it names.
    assertThat(project.loadWith(yml).inventory().nodes().get("web1").keys())
        .containsExactly(Path.of("/root/.ssh/id_ed25519"));
  }

  @Test
  void aKeyInsideTheProjectOrAListOfKeysIsRefusedToo() {
    project.file("deploy_key", "x");
    assertThat(project.pushedProblemWith(NODE + "    key: deploy_key\n").key())
        .isEqualTo("nodes.web1.key");
    assertThat(project.pushedProblemWith(NODE + "    key: [~/.ssh/id_rsa, deploy_key]\n").key())
        .isEqualTo("nodes.web1.key");
  }

  @Test
  void knownHostsIsRefusedSayingWhereTheServerKeepsHostKeys() {
    SpecProblem p = project.pushedProblemWith(NODE + "    known_hosts: /etc/ssh/ssh_known_hosts\n");

    assertThat(p.key()).isEqualTo("nodes.web1.known_hosts");
    assertThat(p.line()).isEqualTo(6);
    assertThat(p.message()).startsWith(PushedPaths.REFUSED);
    assertThat(p.hint().orElseThrow()).contains("~/.ssh/known_hosts");
  }

  @Test
  void aNodeWithoutSshFilesLoadsUsingTheServersOwn() throws Exception {
    NodeSpec web1 = project.loadPushedWith(NODE).inventory().nodes().get("web1");

    assertThat(web1.keys()).isEmpty();
    assertThat(web1.knownHosts()).isEmpty();
  }

  @Test
  void aPemFileOutsideTheProjectIsRefusedHoweverItIsNamed() throws Exception {
    Files.createSymbolicLink(project.dir.resolve("certs/link.pem"), outside);
    for (String path :
        List.of(
            outside.toString(), "~/privkey.pem", "../tls/other/privkey.pem", "certs/link.pem")) {
      SpecProblem p =
          project.pushedProblemWith("tls: {cert: certs/site.pem, key: '" + path + "'}\n");

      assertThat(p.key()).as(path).isEqualTo("tls.key");
      assertThat(p.line()).as(path).isEqualTo(3);
      assertThat(p.column()).as(path).isEqualTo(34);
      assertThat(p.message())
          .as(path)
          .startsWith(PushedPaths.REFUSED + ": only files of the project");
      assertThat(p.hint().orElseThrow()).as(path).contains("into the project");
    }
    // The admin's CLI reads its own file wherever it is.
    assertThat(project.loadWith("tls: {cert: certs/site.pem, key: '" + outside + "'}\n").tls())
        .isEqualTo(
            new TlsSpec.Files(
                project.dir.resolve("certs/site.pem").toAbsolutePath().normalize(),
                Optional.of(outside.toAbsolutePath().normalize()),
                Optional.empty()));
  }

  @Test
  void theCertificateAndAnAcmeCaAreConfinedToo() {
    assertThat(project.pushedProblemWith("tls: {cert: '" + outside + "'}\n").key())
        .isEqualTo("tls.cert");
    assertThat(
            project
                .pushedProblemWith(
                    "domain: a.example.com\ntls: {acme: {email: a@b.co, ca: ../tls/other/privkey.pem}}\n")
                .key())
        .isEqualTo("tls.acme.ca");
  }

  @Test
  void pemFilesOfTheProjectAreRead() throws Exception {
    project.file("certs/site.key", "-----BEGIN PRIVATE KEY-----\n");

    TlsSpec tls =
        project.loadPushedWith("tls: {cert: ./certs/site.pem, key: certs/site.key}\n").tls();

    assertThat(tls)
        .isEqualTo(
            new TlsSpec.Files(
                project.dir.resolve("certs/site.pem").toAbsolutePath().normalize(),
                Optional.of(project.dir.resolve("certs/site.key").toAbsolutePath().normalize()),
                Optional.empty()));
  }
}
