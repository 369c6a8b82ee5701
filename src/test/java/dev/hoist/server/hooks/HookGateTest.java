package dev.hoist.server.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The decisions issue 11 lists, on GitHub's documented push and ping examples. */
class HookGateTest {
  private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000);
  private static final WebhookSecret SECRET = WebhookSecret.of("s3cret");
  // The example pushes create branch master with commit 6113728f...
  private static final String AFTER = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

  private final HookGate gate = new HookGate(new DeliveryCache(100));

  private static HookRules rules(String branch, List<String> watch) {
    return new HookRules(Provider.GITHUB, Optional.of(SECRET), branch, watch);
  }

  private HookDecision github(HookRules rules, String event, String delivery, byte[] body) {
    return gate.decide("shop", rules, Signed.github("s3cret", event, delivery, body), NOW);
  }

  @Test
  void aSignedPushToTheBranchIsAccepted() {
    HookDecision d =
        github(
            rules("master", List.of()), "push", "d-1", Signed.example("push-with-new-branch.json"));
    assertThat(d.status()).isEqualTo(202);
    PushEvent push = ((HookDecision.Accepted) d).push();
    assertThat(push.branch()).contains("master");
    assertThat(push.after()).isEqualTo(AFTER);
    assertThat(push.author()).isEqualTo("Codertocat");
    assertThat(push.message()).isNotEmpty();
    // A new branch: the payload cannot say what changed against the live release.
    assertThat(push.changedPaths()).isEmpty();
  }

  @Test
  void aPingIsAnswered() {
    HookDecision d = github(rules("main", List.of()), "ping", "d-2", Signed.example("ping.json"));
    assertThat(d).isEqualTo(HookDecision.pong());
    assertThat(d.status()).isEqualTo(200);
  }

  @Test
  void aProjectWithoutASecretRefusesEveryWebhook() {
    HookRules noSecret = new HookRules(Provider.GITHUB, Optional.empty(), "master", List.of());
    byte[] body = Signed.example("push-with-new-branch.json");
    // Signed with any secret, or not at all: nothing can be checked, so nothing is taken.
    HookDecision signed = github(noSecret, "push", "d-9", body);
    HookDecision unsigned =
        gate.decide("shop", noSecret, new HookRequest(Map.of("X-GitHub-Event", "push"), body), NOW);
    for (HookDecision d : List.of(signed, unsigned)) {
      assertThat(d.status()).isEqualTo(401);
      assertThat(d.message()).contains("the project has no secret_file");
    }
  }

  @Test
  void aMissingOrWrongSignatureIs401() {
    byte[] body = Signed.example("push-with-new-branch.json");
    HookDecision unsigned =
        gate.decide(
            "shop",
            rules("master", List.of()),
            new HookRequest(Map.of("X-GitHub-Event", "push"), body),
            NOW);
    assertThat(unsigned.status()).isEqualTo(401);
    assertThat(unsigned.message()).contains("no X-Hub-Signature-256 header");
    HookDecision wrongKey =
        gate.decide(
            "shop", rules("master", List.of()), Signed.github("other", "push", "d-3", body), NOW);
    assertThat(wrongKey.status()).isEqualTo(401);
    assertThat(wrongKey.message())
        .isEqualTo("X-Hub-Signature-256 does not match the body and the project's secret");
  }

  @Test
  void aRepeatedDeliveryIs200AndIgnored() {
    byte[] body = Signed.example("push-with-new-branch.json");
    assertThat(github(rules("master", List.of()), "push", "d-4", body).status()).isEqualTo(202);
    HookDecision again = github(rules("master", List.of()), "push", "d-4", body);
    assertThat(again).isEqualTo(HookDecision.duplicate("d-4"));
    assertThat(again.status()).isEqualTo(200);
    // A refused request does not burn its id: the genuine delivery still goes through.
    gate.decide(
        "shop", rules("master", List.of()), Signed.github("other", "push", "d-5", body), NOW);
    assertThat(github(rules("master", List.of()), "push", "d-5", body).status()).isEqualTo(202);
  }

  @Test
  void aBodyOver5MiBIs413() {
    byte[] big = new byte[HookGate.MAX_BODY + 1];
    assertThat(github(rules("main", List.of()), "push", "d-6", big).status()).isEqualTo(413);
    byte[] limit = new byte[HookGate.MAX_BODY];
    // At the limit the body is read: it is verified, then found not to be JSON.
    assertThat(github(rules("main", List.of()), "push", "d-7", limit).status()).isEqualTo(400);
  }

  @Test
  void aPushElsewhereIs202WithTheReason() {
    HookDecision other =
        github(
            rules("main", List.of()), "push", "d-8", Signed.example("push-with-new-branch.json"));
    assertThat(other)
        .isEqualTo(
            HookDecision.ignored(
                "push to refs/heads/master, not to branch main; nothing to deploy"));
    HookDecision tag =
        github(rules("main", List.of()), "push", "d-9", Signed.example("push-tag-deleted.json"));
    assertThat(tag.status()).isEqualTo(202);
    assertThat(tag.message()).startsWith("push to refs/tags/simple-tag, not to branch main");
    HookDecision issue = github(rules("main", List.of()), "issues", "d-10", Signed.utf8("{}"));
    assertThat(issue)
        .isEqualTo(HookDecision.ignored("event 'issues' is not a push; nothing to deploy"));
  }

  @Test
  void aPushOutsideWatchIs202() {
    // The documented push, as a push onto an existing branch: it adds README.md.
    String text =
        new String(Signed.example("push-with-new-branch.json"), StandardCharsets.UTF_8)
            .replace(
                "\"before\": \"0000000000000000000000000000000000000000\"",
                "\"before\": \"1111111111111111111111111111111111111111\"");
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    HookDecision outside =
        github(rules("master", List.of("src", "hoist.yml")), "push", "w-1", body);
    assertThat(outside)
        .isEqualTo(
            HookDecision.ignored(
                "the push changes nothing under src, hoist.yml; nothing to deploy"));
    HookDecision inside = github(rules("master", List.of("*.md")), "push", "w-2", body);
    assertThat(((HookDecision.Accepted) inside).push().changedPaths())
        .isEqualTo(Optional.of(List.of("README.md")));
    // When the payload cannot tell (a new branch), a watched project deploys.
    assertThat(
            github(
                rules("master", List.of("src")),
                "push",
                "w-4",
                Signed.example("push-with-new-branch.json")))
        .isInstanceOf(HookDecision.Accepted.class);
  }

  @Test
  void malformedJsonIs400() {
    assertThat(github(rules("main", List.of()), "push", "m-1", Signed.utf8("{not json")).status())
        .isEqualTo(400);
    HookDecision noCommit =
        github(
            rules("main", List.of()),
            "push",
            "m-2",
            Signed.utf8("{\"ref\":\"refs/heads/main\",\"after\":\"--upload-pack=x\"}"));
    assertThat(noCommit).isEqualTo(HookDecision.malformed("the push's 'after' is not a commit id"));
  }

  @Test
  void aDeletedBranchIsNotDeployed() {
    String body =
        "{\"ref\":\"refs/heads/main\",\"before\":\""
            + AFTER
            + "\",\"after\":\""
            + "0".repeat(40)
            + "\"}";
    assertThat(github(rules("main", List.of()), "push", "x-1", Signed.utf8(body)))
        .isEqualTo(HookDecision.ignored("branch main was deleted; nothing to deploy"));
  }

  @Test
  void gitlabPushesAreReadFromTheirOwnShape() {
    String body =
        """
        {"object_kind":"push","ref":"refs/heads/main","before":"%s","after":"%s",
         "user_name":"Jane","total_commits_count":1,
         "commits":[{"id":"%s","message":"fix css","added":[],"modified":["static/site.css"],"removed":[]}]}
        """
            .formatted(AFTER, "a".repeat(40), "a".repeat(40));
    HookRules rules =
        new HookRules(Provider.GITLAB, Optional.of(SECRET), "main", List.of("static"));
    HookDecision d =
        gate.decide(
            "shop",
            rules,
            new HookRequest(
                Map.of("X-Gitlab-Token", "s3cret", "X-Gitlab-Event", "Push Hook"),
                Signed.utf8(body)),
            NOW);
    PushEvent push = ((HookDecision.Accepted) d).push();
    assertThat(push.author()).isEqualTo("Jane");
    assertThat(push.message()).isEqualTo("fix css");
    assertThat(push.changedPaths()).contains(List.of("static/site.css"));
    // GitLab lists at most 20 commits; with more, the paths are unknown and the push deploys.
    String cut = body.replace("\"total_commits_count\":1", "\"total_commits_count\":40");
    HookRules elsewhere =
        new HookRules(Provider.GITLAB, Optional.of(SECRET), "main", List.of("src"));
    assertThat(
            gate.decide(
                "shop",
                elsewhere,
                new HookRequest(
                    Map.of("X-Gitlab-Token", "s3cret", "X-Gitlab-Event", "Push Hook"),
                    Signed.utf8(cut)),
                NOW))
        .isInstanceOf(HookDecision.Accepted.class);
  }

  @Test
  void watchEntriesArePathsOrGlobs() {
    assertThat(WatchPaths.matches("src", "src/app.py")).isTrue();
    assertThat(WatchPaths.matches("src", "srcx/app.py")).isFalse();
    assertThat(WatchPaths.matches("hoist.yml", "hoist.yml")).isTrue();
    assertThat(WatchPaths.matches("app/**/*.py", "app/a/b.py")).isTrue();
    assertThat(WatchPaths.matches("app/**/*.py", "app/b.py")).isFalse();
    assertThat(WatchPaths.matches("*.md", "docs/x.md")).isFalse();
  }
}
