package dev.hoist.scaffold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AppNameTest {
  @ParameterizedTest
  @CsvSource({
    "mysite, mysite",
    "My Site!, my-site",
    "shop_v2, shop-v2",
    "a--b, a-b",
    "Café Ünïcode, cafe-unicode",
  })
  void derivesFromTheDirectoryName(String dir, String name) {
    assertThat(AppName.derive(Path.of("/tmp", dir))).isEqualTo(name);
  }

  @Test
  void aNameGivenIsKeptAsItIs() throws Exception {
    assertThat(AppName.resolve("a-b", Path.of("/tmp/ignored"))).isEqualTo("a-b");
  }

  @Test
  void aDerivedNameMustStartWithALetter() {
    assertThatThrownBy(() -> AppName.resolve(null, Path.of("/tmp/_private")))
        .hasMessageContaining("must start with a letter")
        .hasMessageContaining("pass --name");
  }

  @Test
  void aNameIsAtMost31Characters() throws Exception {
    assertThat(AppName.resolve("a".repeat(31), Path.of("/tmp"))).hasSize(31);
    assertThatThrownBy(() -> AppName.resolve("a".repeat(32), Path.of("/tmp")))
        .hasMessageContaining("at most 31");
  }

  @Test
  void theModuleUsesUnderscores() {
    assertThat(AppName.module("my-site")).isEqualTo("my_site");
  }
}
