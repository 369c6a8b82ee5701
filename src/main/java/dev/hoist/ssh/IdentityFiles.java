package dev.hoist.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Private key files (OpenSSH or PEM; ed25519, ECDSA, RSA), each read and decrypted once per process
 * however many nodes use it, so a passphrase is asked at most once.
 */
final class IdentityFiles {
  /** What one file gave: its keys, or why it gave none ({@code note}). */
  record Loaded(Path file, List<KeyPair> keys, String note) {}

  private static final int ATTEMPTS = 3;

  private final Passphrases passphrases;
  private final ConcurrentMap<Path, CompletableFuture<Loaded>> cache = new ConcurrentHashMap<>();

  IdentityFiles(Passphrases passphrases) {
    this.passphrases = passphrases;
  }

  /** The keys in {@code file}; parallel callers for one file wait for the first one's read. */
  Loaded load(Path file) {
    CompletableFuture<Loaded> mine = new CompletableFuture<>();
    CompletableFuture<Loaded> first = cache.putIfAbsent(file.toAbsolutePath(), mine);
    if (first != null) {
      return first.join();
    }
    Loaded loaded = read(file);
    mine.complete(loaded);
    return loaded;
  }

  /**
   * The public half from {@code FILE.pub}, or null: lets a key held by ssh-agent skip its prompt.
   */
  static PublicKey publicKeyBeside(Path file) {
    Path pub = file.resolveSibling(file.getFileName() + ".pub");
    try {
      String line = Files.readString(pub, StandardCharsets.UTF_8).strip();
      return PublicKeyEntry.parsePublicKeyEntry(line)
          .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.IGNORING);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      return null;
    }
  }

  private Loaded read(Path file) {
    if (!Files.exists(file)) {
      return new Loaded(file, List.of(), file + " does not exist");
    }
    Asker asker = new Asker(file);
    try (InputStream in = Files.newInputStream(file)) {
      List<KeyPair> keys = new ArrayList<>();
      Iterable<KeyPair> found =
          SecurityUtils.loadKeyPairIdentities(
              null, NamedResource.ofName(file.toString()), in, asker);
      if (found != null) {
        found.forEach(keys::add);
      }
      return keys.isEmpty()
          ? new Loaded(file, List.of(), file + " holds no private key Hoist can read")
          : new Loaded(file, List.copyOf(keys), null);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      if (asker.declined) {
        return new Loaded(
            file, List.of(), file + " is encrypted; run from a terminal or add it to ssh-agent");
      }
      if (asker.asked) {
        return new Loaded(
            file, List.of(), "wrong passphrase for " + file + " (" + ATTEMPTS + " tries)");
      }
      return new Loaded(file, List.of(), "cannot read " + file + ": " + e.getMessage());
    }
  }

  /** Feeds MINA the passphrases of one file, and remembers whether one was asked or declined. */
  private final class Asker implements FilePasswordProvider {
    private final Path file;
    private volatile boolean asked;
    private volatile boolean declined;

    Asker(Path file) {
      this.file = file;
    }

    @Override
    public String getPassword(SessionContext session, NamedResource resource, int retryIndex)
        throws IOException {
      char[] passphrase = passphrases.passphrase(file, retryIndex + 1);
      if (passphrase == null) {
        declined = true;
        throw new IOException(file + " is encrypted");
      }
      asked = true;
      return new String(passphrase);
    }

    @Override
    public ResourceDecodeResult handleDecodeAttemptResult(
        SessionContext session,
        NamedResource resource,
        int retryIndex,
        String password,
        Exception err) {
      return err != null && !declined && retryIndex + 1 < ATTEMPTS
          ? ResourceDecodeResult.RETRY
          : ResourceDecodeResult.TERMINATE;
    }
  }
}
