package dev.hoist.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hoist.release.ReleaseState.Release;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The releases on a node as the agent's {@code probe_release} reports them, and where a rollback
 * goes.
 */
class ReleaseStateTest {
  private static final String R1 = "20250101T100000Z-aaaaaaa";
  private static final String R2 = "20250102T100000Z-bbbbbbb";
  private static final String R3 = "20250103T100000Z-ccccccc";

  @Test
  void readsCurrentPreviousAndEachReleasesMetadata() {
    ReleaseState state =
        probed(
            "{'current': '"
                + R2
                + "', 'previous': '"
                + R1
                + "', 'releases': ["
                + "{'id': '"
                + R1
                + "', 'hash': 'h1', 'created': '2025-01-01T10:00:00Z', 'app': 'hello', 'failed': false},"
                + "{'id': '"
                + R2
                + "', 'hash': 'h2', 'created': '2025-01-02T10:00:00Z', 'app': 'hello', 'failed': false}]}");

    assertThat(state.current()).contains(R2);
    assertThat(state.previous()).contains(R1);
    assertThat(state.releases())
        .containsExactly(
            new Release(R1, "h1", "2025-01-01T10:00:00Z", false, false),
            new Release(R2, "h2", "2025-01-02T10:00:00Z", false, false));
    assertThat(state.live()).contains(state.releases().get(1));
  }

  @Test
  void nodeWithoutReleasesHasNothingLiveAndNothingToRollBackTo() {
    ReleaseState state = probed("{'current': null, 'releases': [], 'previous': null}");

    assertThat(state.current()).isEmpty();
    assertThat(state.previous()).isEmpty();
    assertThat(state.live()).isEmpty();
    assertThat(state.rollbackTarget()).isEmpty();
    assertThat(ReleaseState.from(MissingNode.getInstance()).releases()).isEmpty();
  }

  @Test
  void releaseWithoutMetadataIsIncomplete() {
    ReleaseState state =
        probed(
            "{'current': null, 'previous': null, 'releases': ["
                + "{'id': '"
                + R1
                + "', 'incomplete': true, 'failed': false}]}");

    assertThat(state.find(R1))
        .hasValueSatisfying(
            r -> {
              assertThat(r.incomplete()).isTrue();
              assertThat(r.hash()).isEmpty();
            });
    assertThat(state.find("nope")).isEmpty();
  }

  @Test
  void rollbackGoesToThePreviousRelease() {
    ReleaseState state = state(R3, R2, good(R1), good(R2), good(R3));

    assertThat(state.rollbackTarget().map(Release::id)).contains(R2);
  }

  @Test
  void rollbackSkipsAFailedPreviousForTheNewestHealthyOneBeforeCurrent() {
    ReleaseState state = state(R3, R2, good(R1), failed(R2), good(R3));

    assertThat(state.rollbackTarget().map(Release::id)).contains(R1);
  }

  @Test
  void rollbackSkipsIncompleteReleases() {
    ReleaseState state = state(R3, null, good(R1), incomplete(R2), good(R3));

    assertThat(state.rollbackTarget().map(Release::id)).contains(R1);
  }

  @Test
  void previousThatWasPrunedFallsBackToTheListedReleases() {
    ReleaseState state = state(R3, "20241231T000000Z-zzzzzzz", good(R2), good(R3));

    assertThat(state.rollbackTarget().map(Release::id)).contains(R2);
  }

  @Test
  void noRollbackTargetWhenEveryEarlierReleaseIsBroken() {
    ReleaseState state = state(R3, R2, failed(R1), incomplete(R2), good(R3));

    assertThat(state.rollbackTarget()).isEmpty();
  }

  @Test
  void previousEqualToCurrentIsNotATarget() {
    ReleaseState state = state(R2, R2, good(R1), good(R2));

    assertThat(state.rollbackTarget().map(Release::id)).contains(R1);
  }

  @Test
  void rollbackNeverGoesForwardToANewerRelease() {
    ReleaseState state = state(R2, R3, good(R1), good(R2), good(R3));

    assertThat(state.rollbackTarget().map(Release::id)).contains(R1);
  }

  private static String good(String id) {
    return "{'id': '" + id + "', 'hash': 'h', 'created': 'c', 'failed': false}";
  }

  private static String failed(String id) {
    return "{'id': '" + id + "', 'hash': 'h', 'created': 'c', 'failed': true}";
  }

  private static String incomplete(String id) {
    return "{'id': '" + id + "', 'incomplete': true, 'failed': false}";
  }

  private static ReleaseState state(String current, String previous, String... releases) {
    return probed(
        "{'current': "
            + quoted(current)
            + ", 'previous': "
            + quoted(previous)
            + ", 'releases': ["
            + String.join(",", releases)
            + "]}");
  }

  private static String quoted(String id) {
    return Optional.ofNullable(id).map(s -> "'" + s + "'").orElse("null");
  }

  private static ReleaseState probed(String singleQuotedJson) {
    try {
      JsonNode node =
          JsonMapper.builder()
              .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
              .build()
              .readTree(singleQuotedJson);
      return ReleaseState.from(node);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void aPreparedReleaseIsNewerThanTheLiveOneCompleteAndNotFailed() {
    ReleaseState state =
        new ReleaseState(
            Optional.of(R1),
            Optional.empty(),
            java.util.List.of(
                new Release(R1, "h1", "", false, false),
                new Release(R2, "h2", "", false, false),
                new Release(R3, "h3", "", true, false)));

    assertThat(state.prepared(Optional.empty())).map(Release::id).contains(R2);
    assertThat(state.prepared(Optional.of("h2"))).map(Release::id).contains(R2);
    assertThat(state.prepared(Optional.of("h3"))).as("failed").isEmpty();
    assertThat(state.prepared(Optional.of("h1"))).as("live, not prepared").isEmpty();
  }

  @Test
  void anIncompleteReleaseIsNotPrepared() {
    ReleaseState state =
        new ReleaseState(
            Optional.of(R1),
            Optional.empty(),
            java.util.List.of(
                new Release(R1, "h1", "", false, false), new Release(R2, "h2", "", false, true)));

    assertThat(state.prepared(Optional.of("h2"))).isEmpty();
  }

  @Test
  void withNothingLiveEveryGoodReleaseCountsAsPrepared() {
    ReleaseState state =
        new ReleaseState(
            Optional.empty(),
            Optional.empty(),
            java.util.List.of(
                new Release(R1, "h1", "", false, false), new Release(R2, "h1", "", false, false)));

    assertThat(state.prepared(Optional.of("h1"))).map(Release::id).contains(R2);
  }
}
