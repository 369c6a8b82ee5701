package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShellWordsTest {

  @Test
  void splitsOnAnyRunOfBlanks() {
    assertThat(ShellWords.split("  celery -A\tproj\n worker  "))
        .containsExactly("celery", "-A", "proj", "worker");
  }

  @Test
  void blankCommandHasNoWords() {
    assertThat(ShellWords.split("")).isEmpty();
    assertThat(ShellWords.split(" \t\n")).isEmpty();
  }

  @Test
  void singleQuotesKeepEverythingLiteral() {
    assertThat(ShellWords.split("echo 'a  b' '$HOME' 'back\\slash' '\"'"))
        .containsExactly("echo", "a  b", "$HOME", "back\\slash", "\"");
  }

  @Test
  void doubleQuotesHonourOnlyThePosixEscapes() {
    assertThat(ShellWords.split("x \"a \\\" b\" \"\\\\\" \"\\$X\" \"\\`\" \"\\n\" \"$HOME\""))
        .containsExactly("x", "a \" b", "\\", "$X", "`", "\\n", "$HOME");
  }

  @Test
  void backslashOutsideQuotesEscapesTheNextCharacter() {
    assertThat(ShellWords.split("a\\ b c\\'d \\\\")).containsExactly("a b", "c'd", "\\");
  }

  @Test
  void backslashNewlineContinuesTheLine() {
    assertThat(ShellWords.split("python manage.py \\\nmigrate"))
        .containsExactly("python", "manage.py", "migrate");
    assertThat(ShellWords.split("\"a\\\nb\"")).containsExactly("ab");
  }

  @Test
  void adjacentPartsFormOneWord() {
    assertThat(ShellWords.split("--name='my app'\"s\"x")).containsExactly("--name=my appsx");
  }

  @Test
  void emptyQuotesAreAnEmptyWord() {
    assertThat(ShellWords.split("cmd '' \"\"")).containsExactly("cmd", "", "");
  }

  @Test
  void nothingIsExpanded() {
    assertThat(ShellWords.split("ls *.py ~ $HOME && echo `id` | wc"))
        .containsExactly("ls", "*.py", "~", "$HOME", "&&", "echo", "`id`", "|", "wc");
  }

  @Test
  void unclosedSingleQuoteNamesWhereItOpens() {
    assertThatThrownBy(() -> ShellWords.split("echo 'oops"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unclosed single quote (') that opens at character 6");
  }

  @Test
  void unclosedDoubleQuoteNamesWhereItOpens() {
    assertThatThrownBy(() -> ShellWords.split("a \"b \\\" c"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unclosed double quote (\") that opens at character 3");
  }

  @Test
  void trailingBackslashIsRejected() {
    assertThatThrownBy(() -> ShellWords.split("echo \\"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ends with a backslash");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "plain|plain",
        "a/b.c:d,e@f%g+h=i-j_k|a/b.c:d,e@f%g+h=i-j_k",
        "two words|'two words'",
        "it's|'it'\\''s'",
        "$HOME|'$HOME'",
        "~|'~'",
        "*|'*'",
        "#x|'#x'",
        "a;b|'a;b'",
        "ünï|'ünï'",
      })
  void quotesOnlyWhatNeedsIt(String word, String quoted) {
    assertThat(ShellWords.quote(word)).isEqualTo(quoted);
  }

  @Test
  void quotesTheEmptyWord() {
    assertThat(ShellWords.quote("")).isEqualTo("''");
  }

  @Test
  void joinsWithSpaces() {
    assertThat(ShellWords.join(List.of("python", "manage.py", "shell", "-c", "print('hi')")))
        .isEqualTo("python manage.py shell -c 'print('\\''hi'\\'')'");
    assertThat(ShellWords.join(List.of())).isEmpty();
  }

  @Test
  void joinQuotesALeadingWordThatShWouldTakeAsAnAssignment() {
    assertThat(ShellWords.join(List.of("FOO=bar", "x=y"))).isEqualTo("'FOO=bar' x=y");
    assertThat(ShellWords.split(ShellWords.join(List.of("FOO=bar")))).containsExactly("FOO=bar");
  }

  @Test
  void splitReadsBackWhatJoinWrote() {
    List<List<String>> cases =
        List.of(
            List.of("a", "", "b c", "'", "\"", "\\", "$x", "`y`", "\n", "\t", "x'y\"z", "a\\\nb"),
            List.of("gunicorn", "--bind", "unix:/run/hello/gunicorn.sock", "hello:create_app()"),
            List.of("sh", "-c", "cd /srv && exec \"$@\"", "--"));
    for (List<String> argv : cases) {
      assertThat(ShellWords.split(ShellWords.join(argv))).isEqualTo(argv);
    }
  }

  @Test
  void splitReadsBackRandomArgv() {
    Random random = new Random(42);
    String alphabet = "ab Z09 '\"\\$`*~#;&|<>()\n\t=%é-_./:";
    for (int n = 0; n < 500; n++) {
      List<String> argv = new ArrayList<>();
      for (int w = random.nextInt(5); w >= 0; w--) {
        StringBuilder word = new StringBuilder();
        for (int c = random.nextInt(8); c > 0; c--) {
          word.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        argv.add(word.toString());
      }
      assertThat(ShellWords.split(ShellWords.join(argv))).as("argv %s", argv).isEqualTo(argv);
    }
  }
}
