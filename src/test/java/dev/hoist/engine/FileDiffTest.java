package dev.hoist.engine;

import static dev.hoist.engine.AgentProtocol.toJson;
import static dev.hoist.engine.Probed.absent;
import static dev.hoist.engine.Probed.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a file resource plans: create, content update with a readable diff, attributes only,
 * secrets.
 */
class FileDiffTest {
  private static final Attributes ROOT_FILE = Attributes.of("root", "root", "0644");
  private static final String SITE =
      "server {\n    listen 80;\n    server_name new.example.com;\n}\n";
  private static final String OLD_SITE =
      "server {\n    listen 80;\n    server_name old.example.com;\n}\n";

  private final FileResource site =
      FileResource.of("/etc/nginx/sites-enabled/hoist-hello.conf", SITE, ROOT_FILE);

  @Test
  void missingFileIsCreatedAndTheDiffShowsEveryLineAdded() {
    Change change = site.diff(absent()).orElseThrow();

    assertThat(change.kind()).isEqualTo(Change.Kind.CREATE);
    assertThat(change.summary()).isEqualTo("create /etc/nginx/sites-enabled/hoist-hello.conf");
    assertThat(change.reasons()).containsExactly("missing");
    assertThat(change.diff())
        .contains("+server {", "+    server_name new.example.com;")
        .doesNotContain("\n-");
  }

  @Test
  void fileWithOtherContentIsUpdatedAndTheDiffShowsRemovedAndAddedLines() {
    Change change = site.diff(Probed.file(OLD_SITE, "root", "root", "0644")).orElseThrow();

    assertThat(change.kind()).isEqualTo(Change.Kind.UPDATE);
    assertThat(change.summary()).isEqualTo("update /etc/nginx/sites-enabled/hoist-hello.conf");
    assertThat(change.reasons()).containsExactly("content differs");
    assertThat(change.diff())
        .contains(
            "-    server_name old.example.com;",
            "+    server_name new.example.com;",
            "     listen 80;");
  }

  @Test
  void writeStepCarriesContentAttributesAndValidation() {
    FileResource validated = site.validatedBy(List.of("nginx", "-t", "-q"));

    ObjectNode step = toJson(validated.diff(absent()).orElseThrow().steps()).getFirst();

    assertThat(step.path("do").asText()).isEqualTo("file.write");
    assertThat(step.path("path").asText()).isEqualTo(site.path());
    assertThat(
            new String(
                Base64.getDecoder().decode(step.path("content").asText()), StandardCharsets.UTF_8))
        .isEqualTo(SITE);
    assertThat(step.path("owner").asText()).isEqualTo("root");
    assertThat(step.path("mode").asText()).isEqualTo("0644");
    assertThat(step.path("validate").toString()).isEqualTo("[\"nginx\",\"-t\",\"-q\"]");
  }

  @Test
  void sameContentWithOtherModeOnlyFixesAttributesAndSendsNoContent() {
    ObjectNode state = Probed.sameFile(site).put("mode", "0600").put("owner", "hello");

    Change change = site.diff(state).orElseThrow();

    assertThat(change.kind()).isEqualTo(Change.Kind.UPDATE);
    assertThat(change.summary()).isEqualTo("fix /etc/nginx/sites-enabled/hoist-hello.conf");
    assertThat(change.reasons()).containsExactly("owner hello -> root", "mode 0600 -> 0644");
    assertThat(change.diff()).isEmpty();
    assertThat(toJson(change.steps()))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.path("do").asText()).isEqualTo("file.attrs");
              assertThat(s.has("content")).isFalse();
            });
  }

  @Test
  void fileAsWantedIsLeftAlone() {
    assertThat(site.diff(Probed.sameFile(site))).isEmpty();
  }

  @Test
  void oldContentTheAgentDidNotSendIsNotShown() {
    // The agent sends no text for files over 64 KiB or that are not UTF-8.
    ObjectNode state = path("file", "root", "root", "0644").put("sha256", Probed.sha256("binary"));

    Change change = site.diff(state).orElseThrow();

    assertThat(change.diff()).isEqualTo("(old content not shown: large or binary)");
  }

  @Test
  void secretFileDiffNeverShowsOldOrNewContent() {
    FileResource env =
        FileResource.of(
                "/srv/hello/etc/env",
                "SECRET_KEY=new-s3cret\n",
                Attributes.of("hello", "hello", "0600"))
            .asSecret();

    Change created = env.diff(absent()).orElseThrow();
    Change updated =
        env.diff(Probed.file("SECRET_KEY=old-s3cret\n", "hello", "hello", "0600")).orElseThrow();

    for (Change change : List.of(created, updated)) {
      assertThat(change.diff()).isEqualTo("(content hidden: secret)");
      assertThat(change.summary() + change.reasons()).doesNotContain("s3cret");
    }
  }

  @Test
  void renderedChangeLeavesOutTheStepsThatCarryContent() throws Exception {
    FileResource env =
        FileResource.of(
                "/srv/hello/etc/env",
                "SECRET_KEY=s3cret\n",
                Attributes.of("hello", "hello", "0600"))
            .asSecret();
    Change change = env.diff(absent()).orElseThrow();

    String json = AgentProtocol.json().writeValueAsString(change);

    assertThat(json).contains("\"id\":\"file:/srv/hello/etc/env\"").doesNotContain("steps");
    assertThat(json)
        .doesNotContain("s3cret")
        .doesNotContain(
            Base64.getEncoder()
                .encodeToString("SECRET_KEY=s3cret\n".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void directoryWhereAFileShouldBeSaysWhatToDo() {
    assertThatThrownBy(() -> site.diff(Probed.dir("root", "root", "0755")))
        .isInstanceOf(PlanException.class)
        .hasMessage(
            "/etc/nginx/sites-enabled/hoist-hello.conf exists but is a dir, not a file; move it away");
  }

  @Test
  void symlinkWhereAFileShouldBeIsNotWrittenThrough() {
    assertThatThrownBy(() -> site.diff(Probed.link("/etc/nginx/sites-available/default")))
        .isInstanceOf(PlanException.class)
        .hasMessageContaining("exists but is a link, not a file");
  }
}
