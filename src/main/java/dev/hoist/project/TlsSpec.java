package dev.hoist.project;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How the app's HTTPS is served (the {@code tls:} key): not at all, with a certificate from an ACME
 * CA obtained and renewed on the node that ends TLS, or with the user's own PEM files.
 */
public sealed interface TlsSpec {
  /** Let's Encrypt's production directory, the default CA. */
  String LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";

  /** Let's Encrypt's staging directory ({@code acme.staging: true}). */
  String LETS_ENCRYPT_STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory";

  /** HTTP only; {@code why} says so in plan and status ("tls: false", "hello.test is local"). */
  record Off(String why) implements TlsSpec {}

  /**
   * A certificate for {@code names} from the ACME CA at {@code directory}; {@code ca} is a PEM on
   * the admin machine that the node trusts for the CA's own HTTPS (a private CA), {@code hsts} the
   * Strict-Transport-Security max-age when opted in.
   */
  record Acme(
      List<String> names,
      Optional<String> email,
      String directory,
      Optional<Path> ca,
      Optional<Duration> hsts)
      implements TlsSpec {
    public Acme {
      names = List.copyOf(names);
    }
  }

  /**
   * The user's own certificate chain and key, PEM files on the admin machine ({@code key} empty:
   * the key is in the certificate's file).
   */
  record Files(Path cert, Optional<Path> key, Optional<Duration> hsts) implements TlsSpec {}

  /** Whether HTTPS is wanted at all. */
  default boolean on() {
    return !(this instanceof Off);
  }

  default Optional<Duration> hstsMaxAge() {
    return switch (this) {
      case Off o -> Optional.empty();
      case Acme a -> a.hsts();
      case Files f -> f.hsts();
    };
  }
}
