package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code services:} key, and where an environment keeps the app's data. */
class SpecServicesTest {
  @TempDir Path dir;
  TestProject project;

  @BeforeEach
  void setUp() {
    project = new TestProject(dir);
  }

  @Test
  void noServicesByDefault() throws Exception {
    assertThat(project.loadWith("").services()).isEqualTo(ServicesSpec.none());
  }

  @Test
  void listFormTakesTheDefaults() throws Exception {
    ServicesSpec s = project.loadWith("services: [postgres, redis, files]\n").services();

    assertThat(s.postgres()).contains(new ServicesSpec.Postgres(15, List.of()));
    assertThat(s.redis()).contains(new ServicesSpec.Redis(OptionalInt.empty()));
    assertThat(s.files()).contains(new ServicesSpec.Files("/uploads", "50m"));
    assertThat(s.names()).containsExactly("postgres", "redis", "files");
  }

  @Test
  void mapFormReadsEachServicesSettings() throws Exception {
    ServicesSpec s =
        project
            .loadWith(
                "services:\n"
                    + "  postgres: {version: 15, extensions: [pg_trgm, uuid-ossp]}\n"
                    + "  redis: {port: 7001}\n"
                    + "  files: {url: /media/, max_size: 20M}\n")
            .services();

    assertThat(s.postgres())
        .contains(new ServicesSpec.Postgres(15, List.of("pg_trgm", "uuid-ossp")));
    assertThat(s.redis()).contains(new ServicesSpec.Redis(OptionalInt.of(7001)));
    assertThat(s.files()).contains(new ServicesSpec.Files("/media", "20m"));
  }

  @Test
  void emptySettingsMeanTheDefaults() throws Exception {
    ServicesSpec s = project.loadWith("services: {postgres:, redis: {}}\n").services();

    assertThat(s.names()).containsExactly("postgres", "redis");
  }

  @Test
  void unknownServiceIsPointedAtWithASuggestion() {
    SpecProblem p = project.problemWith("services: [postgres, reddis]\n");

    assertThat(TestProject.where(p)).isEqualTo("3:22: services: unknown service 'reddis'");
    assertThat(p.hint()).contains("did you mean 'redis'?");
  }

  @Test
  void postgresqlIsCalledPostgres() {
    assertThat(project.problemWith("services: {postgresql: {}}\n").hint())
        .contains("did you mean 'postgres'?");
  }

  @Test
  void unknownExtensionIsPointedAtWithASuggestion() {
    SpecProblem p =
        project.problemWith("services:\n  postgres:\n    extensions: [pg_trgm, hstor]\n");

    assertThat(TestProject.where(p))
        .isEqualTo("5:27: services.postgres.extensions: unknown extension 'hstor'");
    assertThat(p.hint()).contains("did you mean 'hstore'?");
  }

  @Test
  void extensionsFromOtherPackagesAreRefusedWithWhy() {
    SpecProblem p = project.problemWith("services: {postgres: {extensions: [postgis]}}\n");

    assertThat(p.message()).isEqualTo("extension 'postgis' is not supported by hoist's PostgreSQL");
  }

  @Test
  void onlyVersion15() {
    SpecProblem p = project.problemWith("services: {postgres: {version: 16}}\n");

    assertThat(TestProject.where(p))
        .isEqualTo(
            "3:32: services.postgres.version: PostgreSQL 16 is not available: Debian 12 ships"
                + " PostgreSQL 15 only");
  }

  @Test
  void badSizeUrlAndKeyAreEachReported() {
    List<SpecProblem> problems =
        project.problems(
            TestProject.MINIMAL
                + "services:\n  files: {url: uploads, max_size: 50 MB, public: true}\n");

    assertThat(problems)
        .extracting(TestProject::where)
        .containsExactly(
            "4:16: services.files.url: expected a URL prefix like /static, found 'uploads'",
            "4:35: services.files.max_size: expected a size from 1 byte to 16g, found '50 MB'",
            "4:42: services.files.public: unknown key");
  }

  @Test
  void redisPortOfPostgresIsRefused() {
    assertThat(project.problemWith("services: {redis: {port: 5432}}\n").message())
        .isEqualTo("port 5432 is taken by PostgreSQL");
  }

  @Test
  void serviceListedTwice() {
    assertThat(project.problemWith("services: [redis, redis]\n").message())
        .isEqualTo("'redis' is listed twice");
  }

  @Test
  void dbIsARoleOfEnvironments() throws Exception {
    Spec spec =
        project.loadWith(
            "nodes: {web1: 10.0.0.1, db1: 10.0.0.9}\n"
                + "environments:\n  live: {web: [web1], db: db1}\n");
    EnvironmentSpec live = spec.inventory().environments().get("live");

    assertThat(live.rolesOf("db1")).containsExactly("db");
    assertThat(DataPlacement.dataNode(live)).isEqualTo("db1");
  }

  @Test
  void theSingleWebNodeHoldsTheDataWithoutADbNode() throws Exception {
    assertThat(DataPlacement.dataNode(env(Map.of("web", List.of("web1"))))).isEqualTo("web1");
  }

  @Test
  void severalWebNodesAndNoDbNodeIsRefused() {
    SpecException e =
        catchThrowableOfType(
            SpecException.class,
            () ->
                DataPlacement.check(
                    services("postgres"), env(Map.of("web", List.of("web1", "web2")))));

    assertThat(e.getMessage())
        .isEqualTo(
            "hoist.yml:7:3: environments.live: services: the environment has 2 web nodes and no db"
                + " node: hoist would not know which one holds the database\n"
                + "    add 'db: NODE' to the environment (a node of its own, or one of web1, web2)");
  }

  @Test
  void filesMustLiveOnTheWebNode() {
    SpecException e =
        catchThrowableOfType(
            SpecException.class,
            () ->
                DataPlacement.check(
                    services("files"), env(Map.of("web", List.of("web1"), "db", List.of("db1")))));

    assertThat(e.problems().getFirst().message())
        .isEqualTo(
            "services: the environment keeps the app's data on 'db1', but 'files' (uploads) must"
                + " live on the app's only web node");
  }

  @Test
  void withoutServicesAnyEnvironmentIsFine() throws Exception {
    assertThat(
            DataPlacement.check(ServicesSpec.none(), env(Map.of("web", List.of("web1", "web2")))))
        .isEmpty();
  }

  @Test
  void appIdHasNoDashes() {
    assertThat(DataPlacement.appId("my-shop")).isEqualTo("my_shop");
  }

  private static ServicesSpec services(String name) {
    return new ServicesSpec(
        name.equals("postgres")
            ? Optional.of(new ServicesSpec.Postgres(15, List.of()))
            : Optional.empty(),
        Optional.empty(),
        name.equals("files")
            ? Optional.of(new ServicesSpec.Files("/uploads", "50m"))
            : Optional.empty());
  }

  private static EnvironmentSpec env(Map<String, List<String>> roles) {
    Map<String, List<EnvironmentSpec.NodeRef>> refs = new java.util.LinkedHashMap<>();
    for (String role : List.of("web", "db")) {
      if (roles.containsKey(role)) {
        refs.put(
            role,
            roles.get(role).stream()
                .map(n -> new EnvironmentSpec.NodeRef(n, "hoist.yml:7:3"))
                .toList());
      }
    }
    return new EnvironmentSpec("live", refs, "hoist.yml:7:3");
  }
}
