package dev.hoist.tls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reading X.509 certificates: their DNS names, whether they cover a host, who issued them. */
public final class Certificates {
  private Certificates() {}

  /** The first certificate of a PEM chain, or empty when there is none that parses. */
  public static Optional<X509Certificate> leaf(String pem) {
    try {
      Collection<? extends java.security.cert.Certificate> all =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      return all.stream().findFirst().map(X509Certificate.class::cast);
    } catch (CertificateException e) {
      return Optional.empty();
    }
  }

  /** The subjectAltName DNS names (the subject's CN when there are none, as old certs had). */
  public static List<String> dnsNames(X509Certificate cert) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (Integer.valueOf(2).equals(san.get(0))) {
            names.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // Treated as naming nothing.
    }
    if (names.isEmpty()) {
      String dn = cert.getSubjectX500Principal().getName();
      for (String part : dn.split(",")) {
        if (part.startsWith("CN=")) {
          names.add(part.substring(3).toLowerCase(Locale.ROOT));
        }
      }
    }
    return names;
  }

  /** RFC 6125 matching: exact, or a wildcard for exactly one leftmost label. */
  public static boolean covers(List<String> names, String host) {
    String h = host.toLowerCase(Locale.ROOT);
    for (String n : names) {
      if (n.equals(h)) {
        return true;
      }
      if (n.startsWith("*.")) {
        int dot = h.indexOf('.');
        if (dot > 0 && h.substring(dot + 1).equals(n.substring(2))) {
          return true;
        }
      }
    }
    return false;
  }

  public static String subject(X509Certificate cert) {
    return cert.getSubjectX500Principal().getName();
  }

  /** The issuer's common name (or whole name when it has none), e.g. "R11" or "Pebble Root". */
  public static String issuer(X509Certificate cert) {
    String dn = cert.getIssuerX500Principal().getName();
    for (String part : dn.split(",")) {
      if (part.startsWith("CN=")) {
        return part.substring(3);
      }
    }
    return dn;
  }
}
