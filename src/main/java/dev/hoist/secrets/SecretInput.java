package dev.hoist.secrets;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The values {@code hoist secrets set} was given, so none has to be on a command line: {@code
 * KEY=VALUE}, {@code KEY=-} (stdin), {@code KEY=@path} (a file) and {@code --from-file .env}. From
 * stdin and files one trailing line break is dropped. Errors name keys and files, never values.
 */
public final class SecretInput {
  private SecretInput() {}

  /**
   * The values of {@code pairs} (after those of {@code dotenv}, which they override); relative
   * paths are resolved against {@code dir}, and {@code stdin} is read at most once.
   */
  public static Map<String, String> read(
      List<String> pairs, Optional<Path> dotenv, InputStream stdin, Path dir)
      throws SecretsException {
    Map<String, String> values = new LinkedHashMap<>();
    if (dotenv.isPresent()) {
      Path file = dir.resolve(dotenv.get());
      values.putAll(Dotenv.parse(text(file, readFile(file)), dotenv.get().toString()));
    }
    Map<String, String> given = new LinkedHashMap<>();
    boolean stdinUsed = false;
    for (int i = 0; i < pairs.size(); i++) {
      String pair = pairs.get(i);
      int eq = pair.indexOf('=');
      if (eq < 0) {
        // Not echoed: a value typed without its key must not end up in a log.
        throw new SecretsException(
            "argument "
                + (i + 1)
                + " is not KEY=VALUE; give KEY=VALUE, KEY=- (value from stdin) or KEY=@FILE");
      }
      String key = SecretName.check(pair.substring(0, eq));
      String spec = pair.substring(eq + 1);
      if (given.containsKey(key)) {
        throw new SecretsException(key + " is given twice");
      }
      String value;
      if (spec.equals("-")) {
        if (stdinUsed) {
          throw new SecretsException("only one KEY=- can read stdin (" + key + " is the second)");
        }
        stdinUsed = true;
        value = trimLineBreak(text(Path.of("stdin"), readStdin(stdin)));
      } else if (spec.startsWith("@")) {
        Path file = dir.resolve(spec.substring(1));
        value = trimLineBreak(text(file, readFile(file)));
      } else {
        value = spec;
      }
      given.put(key, value);
    }
    values.putAll(given);
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (e.getValue().indexOf('\0') >= 0) {
        throw new SecretsException(
            "the value of " + e.getKey() + " contains a NUL byte, which no environment can hold");
      }
    }
    return values;
  }

  static String trimLineBreak(String value) {
    if (value.endsWith("\r\n")) {
      return value.substring(0, value.length() - 2);
    }
    return value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
  }

  private static byte[] readFile(Path file) throws SecretsException {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new SecretsException("cannot read " + file + ": " + reason(e));
    }
  }

  private static byte[] readStdin(InputStream stdin) throws SecretsException {
    try {
      return stdin.readAllBytes();
    } catch (IOException e) {
      throw new SecretsException("cannot read stdin: " + reason(e));
    }
  }

  private static String text(Path from, byte[] bytes) throws SecretsException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new SecretsException(
          from + " is not UTF-8 text; an environment variable holds text (base64 binary data)");
    }
  }

  private static String reason(IOException e) {
    return e instanceof java.nio.file.NoSuchFileException
        ? "no such file"
        : e instanceof java.nio.file.AccessDeniedException
            ? "permission denied"
            : String.valueOf(e.getMessage());
  }
}
