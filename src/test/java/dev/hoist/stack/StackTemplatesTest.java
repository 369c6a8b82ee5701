package dev.hoist.stack;

import static dev.hoist.stack.StackBuilderTest.build;
import static dev.hoist.stack.StackBuilderTest.content;
import static dev.hoist.stack.StackBuilderTest.releaseConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the rendered config says: nginx site, a release's env file; and the user's own templates.
 */
class StackTemplatesTest {
  private static final String SITE = "file:/etc/nginx/sites-enabled/hoist-hello.conf";
  private static final String ENV = ".hoist/env";

  @TempDir Path project;

  @Test
  void nginxSiteProxiesTheDomainToTheAppSocket() {
    String site = content(build(TestSpec.hello().build()).catalog(), SITE);

    assertThat(site)
        .contains(
            "upstream hoist_hello {\n    server unix:/run/hoist-hello/gunicorn.sock fail_timeout=0;\n}")
        .contains("server_name hello.example.com;")
        .contains("proxy_pass http://hoist_hello;")
        .contains("access_log /var/log/nginx/hoist-hello.access.log;")
        .contains("error_log /var/log/nginx/hoist-hello.error.log;")
        .doesNotContain("return 301")
        .doesNotContain("{{");
  }

  @Test
  void dashInTheAppNameBecomesAnUnderscoreInTheUpstream() {
    Spec spec = TestSpec.hello().app("my-site").build();

    String site =
        content(build(spec).catalog(), "file:/etc/nginx/sites-enabled/hoist-my-site.conf");

    assertThat(site)
        .contains("upstream hoist_my_site {")
        .contains("proxy_pass http://hoist_my_site;");
  }

  @Test
  void aliasesRedirectPermanentlyToTheDomain() {
    Spec spec = TestSpec.hello().alias("www.hello.example.com").alias("hello.example.org").build();

    String site = content(build(spec).catalog(), SITE);

    assertThat(site)
        .contains(
            "server {\n    listen 80;\n    server_name www.hello.example.com hello.example.org;\n"
                + "    location / {\n        return 301 $scheme://hello.example.com$request_uri;\n"
                + "    }\n}");
  }

  @Test
  void staticDirsAreServedByNginxFromTheLiveRelease() {
    Spec spec =
        TestSpec.hello().statics("/static", "static").statics("/media/files", "var/media").build();

    String site = content(build(spec).catalog(), SITE);

    assertThat(site)
        .contains(
            "location /static/ {\n        alias /srv/hello/current/static/;\n        expires 7d;")
        .contains("location /media/files/ {\n        alias /srv/hello/current/var/media/;");
    assertThat(site.indexOf("location /static/")).isLessThan(site.indexOf("location / {"));
  }

  @Test
  void envFileQuotesEveryValueSafely() {
    Spec spec =
        TestSpec.hello()
            .env("GREETING", "it's \"$HOME\" and `id`")
            .env("DJANGO_SETTINGS_MODULE", "hello.settings")
            .env("EMPTY", "")
            .build();

    String env = releaseConfig(build(spec), ENV);

    assertThat(env.lines().toList())
        .containsSubsequence(
            "HOIST_APP=hello",
            "HOIST_SHARED=/srv/hello/shared",
            "HOME=/srv/hello",
            "GREETING='it'\\''s \"$HOME\" and `id`'",
            "DJANGO_SETTINGS_MODULE=hello.settings",
            "EMPTY=''");
    assertThat(env).startsWith("# Managed by hoist");
  }

  @Test
  // gunicorn.conf.py and sh both read the file whole, so a quoted value may span lines.
  void envValueWithANewlineIsQuotedWhole() {
    Spec spec = TestSpec.hello().env("CERT", "line one\nline two").build();

    String env = releaseConfig(build(spec), ENV);

    assertThat(env).contains("CERT='line one\nline two'\n");
  }

  @Test
  void projectTemplateOverridesTheBuiltInOne() throws Exception {
    Path dir = Files.createDirectories(project.resolve(".hoist/templates"));
    Files.writeString(
        dir.resolve("nginx-site.conf.j2"), "# mine for {{ domain }} via {{ socket }}\n");

    String site =
        content(withOverrides(TestSpec.hello().projectDir(project).build()).catalog(), SITE);

    assertThat(site).isEqualTo("# mine for hello.example.com via /run/hoist-hello/gunicorn.sock\n");
  }

  @Test
  void overrideOfOneTemplateLeavesTheOthersBuiltIn() throws Exception {
    Path dir = Files.createDirectories(project.resolve(".hoist/templates"));
    Files.writeString(dir.resolve("nginx-site.conf.j2"), "# mine\n");

    String config =
        releaseConfig(
            withOverrides(TestSpec.hello().projectDir(project).build()), ".hoist/gunicorn.conf.py");

    assertThat(config).contains("wsgi_app = \"hello:application\"");
  }

  @Test
  void unknownVariableInATemplateFailsNamingTheTemplate() throws Exception {
    Path dir = Files.createDirectories(project.resolve(".hoist/templates"));
    Path template = dir.resolve("nginx-site.conf.j2");
    Files.writeString(template, "server {\n    server_name {{ domian }};\n}\n");

    Spec spec = TestSpec.hello().projectDir(project).build();

    assertThatThrownBy(() -> withOverrides(spec))
        .isInstanceOf(TemplateException.class)
        .hasMessageStartingWith(template + ":2: ")
        .hasMessageContaining("domian");
  }

  @Test
  void aProjectTemplateLinkedOutOfTheProjectIsNotRead(@TempDir Path elsewhere) throws Exception {
    // Another project's key on the deploying machine (hoist server's, maybe root's).
    Path key = Files.writeString(elsewhere.resolve("privkey.pem"), "-----BEGIN PRIVATE KEY-----\n");
    Path dir = Files.createDirectories(project.resolve(".hoist/templates"));
    Files.createSymbolicLink(dir.resolve("nginx-site.conf.j2"), key);

    Spec spec = TestSpec.hello().projectDir(project).build();

    assertThatThrownBy(() -> withOverrides(spec))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining("leads outside the project through a symlink")
        .hasMessageNotContaining("BEGIN");
  }

  @Test
  void aProjectTemplateCannotIncludeAFileOfTheDeployingMachine(@TempDir Path elsewhere)
      throws Exception {
    // Jinja's include and import read hoist's own class path only, never a file.
    Path key = Files.writeString(elsewhere.resolve("privkey.pem"), "-----BEGIN PRIVATE KEY-----\n");
    Path dir = Files.createDirectories(project.resolve(".hoist/templates"));
    Files.writeString(
        dir.resolve("nginx-site.conf.j2"),
        "{% include '"
            + key
            + "' %}{% import '"
            + key
            + "' as k %}{% include '../../"
            + key
            + "' %}");

    Spec spec = TestSpec.hello().projectDir(project).build();

    assertThatThrownBy(() -> withOverrides(spec))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining("Couldn't find resource")
        .hasMessageNotContaining("BEGIN");
  }

  @Test
  void builtInTemplateRenderedWithoutItsValuesFailsNamingIt() {
    Templates templates = new Templates(List.of());

    assertThatThrownBy(() -> templates.render("runit-log.run.j2", Map.of()))
        .isInstanceOf(TemplateException.class)
        .hasMessageStartingWith("built-in runit-log.run.j2:")
        .hasMessageContaining("log_dir");
  }

  private Stack withOverrides(Spec spec) {
    return new StackBuilder(Templates.forProject(project), Supervisor.RUNIT).build(spec);
  }
}
