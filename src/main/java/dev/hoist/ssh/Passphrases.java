package dev.hoist.ssh;

import java.nio.file.Path;

/** Asks for the passphrase of an encrypted private key file (the CLI prompts on the console). */
@FunctionalInterface
public interface Passphrases {
  /** Never asks: encrypted keys are skipped, and the auth error says how to use them. */
  Passphrases NONE = (key, attempt) -> null;

  /**
   * Returns the passphrase for {@code key}, or null when there is no way to ask (no console); the
   * key is then skipped with the note "KEY is encrypted; run from a terminal or add it to
   * ssh-agent". {@code attempt} is 1, then 2 and 3 after a wrong passphrase. Called at most once
   * per key and attempt in a process, from the thread that connects; the caller owns the array.
   */
  char[] passphrase(Path key, int attempt);
}
