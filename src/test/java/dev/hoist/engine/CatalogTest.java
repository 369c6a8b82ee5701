package dev.hoist.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The resource graph: dependency order, stable otherwise, and the mistakes it refuses. */
class CatalogTest {
  private final GroupResource a = new GroupResource("a");
  private final GroupResource b = new GroupResource("b");
  private final GroupResource c = new GroupResource("c");
  private final GroupResource d = new GroupResource("d");

  @Test
  void independentResourcesKeepTheOrderTheyWereAddedIn() {
    Catalog catalog = Catalog.builder().add(c).add(a).add(d).add(b).build();

    assertThat(ids(catalog)).containsExactly("group:c", "group:a", "group:d", "group:b");
  }

  @Test
  void requiredResourceComesFirst() {
    Catalog catalog = Catalog.builder().add(b).requires("group:a").add(a).build();

    assertThat(ids(catalog)).containsExactly("group:a", "group:b");
  }

  @Test
  void notifyingResourceComesBeforeTheOneItNotifies() {
    ServiceResource nginx = ResourceDiffTest.service("nginx");
    FileResource site =
        FileResource.of("/etc/nginx/site.conf", "", Attributes.of("root", "root", "0644"));

    Catalog catalog = Catalog.builder().add(nginx).add(site).notifies(nginx.id()).build();

    assertThat(ids(catalog)).containsExactly(site.id(), nginx.id());
  }

  @Test
  void notifyAndRestartEdgesAddedAfterwardsAlsoOrder() {
    Catalog catalog =
        Catalog.builder()
            .add(a)
            .add(b)
            .add(c)
            .notify("group:c", "group:a")
            .restart("group:b", "group:a")
            .build();

    assertThat(ids(catalog)).containsExactly("group:b", "group:c", "group:a");
    assertThat(catalog.get("group:b").restarts()).containsExactly("group:a");
    assertThat(catalog.get("group:c").restarts()).isEmpty();
  }

  @Test
  void dependenciesMoveOnlyWhatMustMove() {
    Catalog catalog = Catalog.builder().add(a).add(b).requires("group:d").add(c).add(d).build();

    assertThat(ids(catalog)).containsExactly("group:a", "group:c", "group:d", "group:b");
  }

  @Test
  void chainOfRequirementsIsFollowed() {
    Catalog catalog =
        Catalog.builder()
            .add(d)
            .requires("group:c")
            .add(c)
            .requires("group:b")
            .add(b)
            .requires("group:a")
            .add(a)
            .build();

    assertThat(ids(catalog)).containsExactly("group:a", "group:b", "group:c", "group:d");
  }

  @Test
  void cycleIsRefusedNamingItsResources() {
    Catalog.Builder builder =
        Catalog.builder().add(a).requires("group:b").add(b).requires("group:a");

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dependency cycle among [group:a, group:b]");
  }

  @Test
  void notificationAgainstARequirementIsACycle() {
    Catalog.Builder builder =
        Catalog.builder().add(a).requires("group:b").notifies("group:b").add(b);

    assertThatThrownBy(builder::build)
        .hasMessageContaining("dependency cycle")
        .hasMessageContaining("group:a");
  }

  @Test
  void cycleMessageLeavesOutResourcesThatMerelyDependOnTheCycle() {
    Catalog.Builder builder =
        Catalog.builder()
            .add(a)
            .requires("group:b")
            .add(b)
            .requires("group:a")
            .add(c)
            .requires("group:a");

    assertThatThrownBy(builder::build).hasMessage("dependency cycle among [group:a, group:b]");
  }

  @Test
  void unknownRequirementIsRefusedNamingBothEnds() {
    Catalog.Builder builder = Catalog.builder().add(a).requires("package:nginx");

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("group:a refers to unknown package:nginx");
  }

  @Test
  void unknownNotificationTargetIsRefused() {
    Catalog.Builder builder = Catalog.builder().add(a).notifies("service:nginx");

    assertThatThrownBy(builder::build).hasMessage("group:a refers to unknown service:nginx");
  }

  @Test
  void duplicateIdIsRefused() {
    Catalog.Builder builder = Catalog.builder().add(new PackageResource("nginx", Optional.empty()));

    assertThatThrownBy(() -> builder.add(new PackageResource("nginx", Optional.of("1.22"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duplicate resource package:nginx");
  }

  @Test
  void entriesAreFoundById() {
    Catalog catalog = Catalog.builder().add(a).add(b).requires("group:a").build();

    assertThat(catalog.contains("group:b")).isTrue();
    assertThat(catalog.contains("group:z")).isFalse();
    assertThat(catalog.get("group:b").requires()).containsExactly("group:a");
    assertThat(catalog.get("group:b").resource()).isEqualTo(b);
  }

  private static List<String> ids(Catalog catalog) {
    return catalog.ordered().stream().map(e -> e.resource().id()).toList();
  }
}
