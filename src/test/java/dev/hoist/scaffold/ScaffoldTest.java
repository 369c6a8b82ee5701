package dev.hoist.scaffold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScaffoldTest {
  @TempDir Path tmp;

  private final Scaffold builtIn = new Scaffold(Optional.empty());

  @Test
  void listsTheBuiltInTemplates() throws Exception {
    assertThat(builtIn.templates()).containsExactly("django", "flask", "wsgi");
  }

  @ParameterizedTest
  @ValueSource(strings = {"wsgi", "flask", "django"})
  void everyBuiltInTemplateRendersCompletely(String template) throws Exception {
    Path dir = tmp.resolve("proj");

    ScaffoldResult result = builtIn.create(dir, template, "my-site");

    assertThat(result.dir()).isEqualTo(dir);
    assertThat(result.template()).isEqualTo(template);
    assertThat(result.written())
        .extracting(p -> dir.relativize(p).toString())
        .contains("hoist.yml", "README.md", ".gitignore")
        .noneMatch(p -> p.endsWith(".j2") || p.contains("{") || p.contains("}"));
    for (Path file : result.written()) {
      assertThat(file).isRegularFile();
      assertThat(Files.readString(file)).doesNotContain("{{", "{%");
    }
    assertThat(Files.readString(dir.resolve("hoist.yml")))
        .contains("app: my-site\n", "wsgi: my_site", "path: /healthz");
    assertThat(Files.readString(dir.resolve("README.md"))).startsWith("# my-site\n");
  }

  @Test
  void djangoPutsTheProjectPackageUnderTheModuleName() throws Exception {
    Path dir = tmp.resolve("blog");

    builtIn.create(dir, "django", null);

    assertThat(dir.resolve("blog/settings.py")).isRegularFile();
    assertThat(dir.resolve("blog/__init__.py")).isEmptyFile();
    assertThat(Files.readString(dir.resolve("hoist.yml")))
        .contains("wsgi: blog.wsgi:application", "DJANGO_SETTINGS_MODULE: blog.settings");
    assertThat(Files.readString(dir.resolve("manage.py"))).contains("\"blog.settings\"");
    assertThat(Files.isExecutable(dir.resolve("manage.py"))).isTrue();
    assertThat(Files.isExecutable(dir.resolve("blog/settings.py"))).isFalse();
  }

  @Test
  void derivesTheAppNameFromTheDirectory() throws Exception {
    Path dir = tmp.resolve("My Shop");

    builtIn.create(dir, "flask", null);

    assertThat(Files.readString(dir.resolve("hoist.yml")))
        .contains("app: my-shop\n", "wsgi: my_shop:create_app()");
    assertThat(dir.resolve("my_shop/__init__.py")).isRegularFile();
  }

  @Test
  void acceptsARelativeDirectory() throws Exception {
    // Regression: creating the parents of a relative path ran off its first segment.
    Path relative = Path.of("").toAbsolutePath().relativize(tmp.resolve("rel/new"));

    ScaffoldResult result = builtIn.create(relative, "wsgi", "rel");

    assertThat(result.dir()).isEqualTo(tmp.resolve("rel/new"));
    assertThat(tmp.resolve("rel/new/rel.py")).isRegularFile();
  }

  @Test
  void keepsFilesThatAreNotInTheWay() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("existing"));
    Files.writeString(dir.resolve("notes.txt"), "mine");

    builtIn.create(dir, "wsgi", "existing");

    assertThat(dir.resolve("notes.txt")).hasContent("mine");
    assertThat(dir.resolve("hoist.yml")).isRegularFile();
  }

  @Test
  void refusesAnExistingProject() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("done"));
    Files.writeString(dir.resolve("hoist.yml"), "app: done\n");

    assertThatThrownBy(() -> builtIn.create(dir, "wsgi", "done"))
        .isInstanceOf(ScaffoldException.class)
        .hasMessageContaining("already has a hoist.yml")
        .hasMessageContaining("another directory");
    assertThat(list(dir)).containsExactly("hoist.yml");
  }

  @Test
  void refusesAnUnknownTemplateNamingTheKnownOnes() {
    assertThatThrownBy(() -> builtIn.create(tmp.resolve("x"), "rails", "x"))
        .isInstanceOf(ScaffoldException.class)
        .hasMessageContaining("unknown template 'rails'")
        .hasMessageContaining("django, flask, wsgi");
    assertThat(tmp.resolve("x")).doesNotExist();
  }

  @Test
  void refusesAnInvalidName() {
    assertThatThrownBy(() -> builtIn.create(tmp.resolve("x"), "wsgi", "My_App"))
        .isInstanceOf(ScaffoldException.class)
        .hasMessageContaining("invalid app name 'My_App'");
  }

  @Test
  void asksForANameWhenTheDirectoryGivesNone() {
    assertThatThrownBy(() -> builtIn.create(tmp.resolve("2048"), "wsgi", null))
        .isInstanceOf(ScaffoldException.class)
        .hasMessageContaining("--name");
    assertThat(tmp.resolve("2048")).doesNotExist();
  }

  @Test
  void refusesANameThatWouldHideALibrary() {
    // A Flask app in a package called flask would import itself instead of Flask.
    assertThatThrownBy(() -> builtIn.create(tmp.resolve("flask"), "flask", null))
        .isInstanceOf(ScaffoldException.class)
        .hasMessageContaining("hides the library")
        .hasMessageContaining("--name");
  }

  @Test
  void neverOverwritesAndWritesNothingOnAClash() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("app"));
    Files.writeString(dir.resolve("README.md"), "my own readme");
    Files.writeString(dir.resolve("app"), "a file where the package directory would go");

    assertThatThrownBy(() -> builtIn.create(dir, "flask", "app"))
        .isInstanceOf(ScaffoldException.class)
        .hasMessageContaining("README.md")
        .hasMessageContaining("nothing was written");
    assertThat(dir.resolve("README.md")).hasContent("my own readme");
    assertThat(list(dir)).containsExactlyInAnyOrder("README.md", "app");
  }

  @Test
  void aUserSkeletonReplacesTheBuiltInOneWholly() throws Exception {
    Path root = tmp.resolve("templates");
    write(root.resolve("skeletons/flask/hoist.yml.j2"), "app: {{ app }}\nwsgi: mine:app\n");
    Path dir = tmp.resolve("shop");

    ScaffoldResult result = new Scaffold(Optional.of(root)).create(dir, "flask", "shop");

    assertThat(result.written()).containsExactly(dir.resolve("hoist.yml"));
    assertThat(dir.resolve("hoist.yml")).hasContent("app: shop\nwsgi: mine:app");
  }

  @Test
  void aUserSkeletonMayAddATemplateWithRenderedDirectories() throws Exception {
    Path root = tmp.resolve("templates");
    write(root.resolve("skeletons/tiny/hoist.yml.j2"), "app: {{ app }}\n");
    write(root.resolve("skeletons/tiny/{{module}}/{{module}}.py.j2"), "NAME = '{{ app }}'\n");
    write(root.resolve("skeletons/tiny/logo.txt"), "{{ copied as it is }}");
    Files.createDirectories(root.resolve("skeletons/.git"));
    Scaffold scaffold = new Scaffold(Optional.of(root));

    assertThat(scaffold.templates()).containsExactly("django", "flask", "tiny", "wsgi");
    scaffold.create(tmp.resolve("out"), "tiny", "my-tool");

    assertThat(tmp.resolve("out/my_tool/my_tool.py")).hasContent("NAME = 'my-tool'");
    assertThat(tmp.resolve("out/logo.txt")).hasContent("{{ copied as it is }}");
  }

  @Test
  void aMissingUserDirectoryMeansBuiltInsOnly() throws Exception {
    Scaffold scaffold = new Scaffold(Optional.of(tmp.resolve("nowhere")));

    assertThat(scaffold.templates()).containsExactly("django", "flask", "wsgi");
  }

  @Test
  void aTemplateErrorNamesTheFileAndWritesNothing() throws Exception {
    Path root = tmp.resolve("templates");
    write(root.resolve("skeletons/bad/hoist.yml.j2"), "app: {{ ap }}\n");

    assertThatThrownBy(() -> new Scaffold(Optional.of(root)).create(tmp.resolve("out"), "bad", "x"))
        .isInstanceOf(ScaffoldException.class)
        .hasMessageContaining("hoist.yml.j2");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  void aFileNameMayNotRenderOutsideTheProject() throws Exception {
    Path root = tmp.resolve("templates");
    write(root.resolve("skeletons/escape/{{ '..' }}/evil.txt"), "x");

    assertThatThrownBy(
            () -> new Scaffold(Optional.of(root)).create(tmp.resolve("out"), "escape", "x"))
        .isInstanceOf(ScaffoldException.class)
        .hasMessageContaining("not a usable file name");
    assertThat(tmp.resolve("evil.txt")).doesNotExist();
  }

  private static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).toList();
    }
  }
}
