package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.project.ServicesSpec;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code hoist services purge}'s checks before any node is reached. */
class PurgeRequestTest {
  @Test
  void namesAreTakenInHoistsOrderOnceEach() throws Exception {
    assertThat(PurgeRequest.of(List.of("files", "postgres", "files")).services())
        .containsExactly("postgres", "files");
  }

  @Test
  void noNameOrAnUnknownOneIsBadInputWithASuggestion() {
    assertThatThrownBy(() -> PurgeRequest.of(List.of()))
        .isInstanceOf(CommandException.class)
        .hasMessageContaining("hoist services purge postgres|redis|files");
    assertThatThrownBy(() -> PurgeRequest.of(List.of("redis", "postgress")))
        .isInstanceOf(CommandException.class)
        .hasMessageContaining("unknown service 'postgress'; did you mean 'postgres'?")
        .satisfies(e -> assertThat(((CommandException) e).exitCode()).isEqualTo(ExitCode.USAGE));
  }

  @Test
  void aServiceHoistYmlStillHasIsRefusedNamingWhatToDo() throws Exception {
    ServicesSpec wanted =
        new ServicesSpec(
            Optional.of(new ServicesSpec.Postgres(15, List.of())),
            Optional.empty(),
            Optional.of(new ServicesSpec.Files("/uploads", "50m")));

    assertThatThrownBy(
            () ->
                PurgeRequest.of(List.of("redis", "files", "postgres"))
                    .refuseServed(wanted, List.of(), "shop/hoist.yml"))
        .isInstanceOf(CommandException.class)
        .hasMessage(
            "shop/hoist.yml: services: still has postgres and files, whose data is the app's live"
                + " data; nothing was deleted. To delete it: remove postgres and files from"
                + " services:, run 'hoist deploy' (the app stops using it), take a 'hoist backup'"
                + " first if you may want it back, then purge");
    PurgeRequest.of(List.of("redis")).refuseServed(wanted, List.of(), "shop/hoist.yml");
    PurgeRequest.of(List.of("postgres"))
        .refuseServed(ServicesSpec.none(), List.of("uploads"), "shop/hoist.yml");
  }

  @Test
  void filesWhileSharedStillLinksUploadsIsRefused() {
    assertThatThrownBy(
            () ->
                PurgeRequest.of(List.of("files"))
                    .refuseServed(
                        ServicesSpec.none(), List.of("data", "uploads"), "shop/hoist.yml"))
        .isInstanceOf(CommandException.class)
        .hasMessageStartingWith("shop/hoist.yml: shared: still has uploads")
        .hasMessageContaining("nothing was deleted");
  }
}
