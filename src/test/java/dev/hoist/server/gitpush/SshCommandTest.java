package dev.hoist.server.gitpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SshCommandTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "git-receive-pack 'shop'", // git push hoist@host:shop
        "git-receive-pack 'shop.git'",
        "git-receive-pack '/shop'", // git push ssh://hoist@host/shop
        "git-receive-pack '/shop.git'",
        "git-receive-pack 'shop/'"
      })
  void takesWhatGitPushSends(String original) throws PushRefused {
    assertThat(SshCommand.parse(original).project()).isEqualTo("shop");
  }

  @Test
  void aLoginShellIsRefused() {
    assertThatThrownBy(() -> SshCommand.parse(null))
        .isInstanceOf(PushRefused.class)
        .hasMessage(
            "this account takes git pushes only, no shell; push with: git push"
                + " hoist@SERVER:PROJECT BRANCH");
    assertThatThrownBy(() -> SshCommand.parse("  ")).isInstanceOf(PushRefused.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "sh",
        "bash -i",
        "git-receive-pack 'shop'; sh",
        "git-receive-pack 'shop' && id",
        "git-receive-pack 'shop'\nsh",
        "git-receive-pack shop",
        "git-receive-pack '../etc'",
        "git-receive-pack '/srv/git/shop.git'",
        "git-receive-pack 'Shop'",
        "git-receive-pack '-shop'",
        "git-receive-pack '$(id)'",
        "git receive-pack 'shop'",
        "scp -t /tmp",
        "git-receive-pack 'shop' --help"
      })
  void anythingElseIsRefused(String original) {
    assertThatThrownBy(() -> SshCommand.parse(original))
        .isInstanceOf(PushRefused.class)
        .hasMessageContaining("git push hoist@SERVER:PROJECT BRANCH")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void fetchingIsRefusedWithItsOwnReason() {
    assertThatThrownBy(() -> SshCommand.parse("git-upload-pack 'shop'"))
        .hasMessage("this server receives pushes only; clone or fetch from your git host instead");
  }

  @Test
  void whatIsEchoedIsCutAndFreeOfControlCharacters() {
    assertThatThrownBy(() -> SshCommand.parse("\u001b[2J" + "x".repeat(200)))
        .hasMessageStartingWith("refused to run '?[2Jxxx")
        .hasMessageContaining("x...'");
  }
}
