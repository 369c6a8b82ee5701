package dev.hoist.tls;

import dev.hoist.project.TlsSpec;
import dev.hoist.stack.TlsMaterial;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The user's own certificate ({@code tls: {cert: ...}}), checked before anything is sent: PEM
 * certificates with a private key that matches the first one, valid now, covering every name the
 * app serves. Each problem names the file.
 */
public final class PemBundle {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

  private PemBundle() {}

  /** A certificate that cannot be served: the message names the file and what is wrong. */
  public static final class BadCertificate extends Exception {
    BadCertificate(String message) {
      super(message);
    }
  }

  /** Reads and checks {@code files} for {@code names} at {@code now}. */
  public static TlsMaterial load(TlsSpec.Files files, List<String> names, Instant now)
      throws BadCertificate {
    Path certPath = files.cert();
    Path keyPath = files.key().orElse(certPath);
    String certText = read(certPath);
    String keyText = keyPath.equals(certPath) ? certText : read(keyPath);
    List<String> certBlocks = blocks(certText, "CERTIFICATE");
    if (certBlocks.isEmpty()) {
      throw new BadCertificate(
          certPath
              + " holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the"
              + " certificate chain in PEM form, the site's certificate first");
    }
    List<X509Certificate> chain = new ArrayList<>();
    for (String block : certBlocks) {
      chain.add(certificate(certPath, block));
    }
    X509Certificate leaf = chain.getFirst();
    PrivateKey key = key(keyPath, keyText);
    if (!matches(key, leaf)) {
      throw new BadCertificate(
          keyPath
              + ": the private key does not belong to the certificate in "
              + certPath
              + " ("
              + Certificates.subject(leaf)
              + "); give the key the certificate was made for");
    }
    if (now.isAfter(leaf.getNotAfter().toInstant())) {
      throw new BadCertificate(
          certPath
              + ": the certificate expired on "
              + leaf.getNotAfter().toInstant()
              + "; renew it, or remove tls.cert to let hoist get one from Let's Encrypt");
    }
    if (now.isBefore(leaf.getNotBefore().toInstant())) {
      throw new BadCertificate(
          certPath + ": the certificate is not valid before " + leaf.getNotBefore().toInstant());
    }
    List<String> covered = Certificates.dnsNames(leaf);
    List<String> missing = names.stream().filter(n -> !Certificates.covers(covered, n)).toList();
    if (!missing.isEmpty()) {
      throw new BadCertificate(
          certPath
              + ": the certificate is for "
              + String.join(", ", covered)
              + ", not for "
              + String.join(", ", missing)
              + "; use a certificate for every name in domain: and aliases:");
    }
    StringBuilder chainPem = new StringBuilder();
    certBlocks.forEach(b -> chainPem.append(b).append('\n'));
    String keyPem = keyBlock(keyText).orElseThrow() + "\n";
    return new TlsMaterial(
        chainPem.toString().getBytes(StandardCharsets.US_ASCII),
        keyPem.getBytes(StandardCharsets.US_ASCII));
  }

  private static String read(Path path) throws BadCertificate {
    try {
      return Files.readString(path, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new BadCertificate("cannot read " + path + ": " + e.getMessage());
    }
  }

  /** The whole PEM blocks of {@code type} in {@code text}, in order. */
  private static List<String> blocks(String text, String type) {
    List<String> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(type)) {
        out.add(m.group());
      }
    }
    return out;
  }

  private static Optional<String> keyBlock(String text) {
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      if (m.group(1).endsWith("PRIVATE KEY")) {
        return Optional.of(m.group());
      }
    }
    return Optional.empty();
  }

  private static X509Certificate certificate(Path path, String block) throws BadCertificate {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(
                  new ByteArrayInputStream(block.getBytes(StandardCharsets.US_ASCII)));
    } catch (CertificateException e) {
      throw new BadCertificate(path + ": a certificate block does not parse: " + e.getMessage());
    }
  }

  /** PKCS#8, PKCS#1 (RSA) or SEC1 (EC) keys, unencrypted. */
  private static PrivateKey key(Path path, String text) throws BadCertificate {
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      if (!type.endsWith("PRIVATE KEY")) {
        continue;
      }
      byte[] der = Base64.getMimeDecoder().decode(m.group(2));
      try {
        return switch (type) {
          case "PRIVATE KEY" -> pkcs8(der);
          case "RSA PRIVATE KEY" ->
              KeyFactory.getInstance("RSA")
                  .generatePrivate(new PKCS8EncodedKeySpec(Der.rsaToPkcs8(der)));
          case "EC PRIVATE KEY" ->
              KeyFactory.getInstance("EC")
                  .generatePrivate(new PKCS8EncodedKeySpec(Der.ecToPkcs8(der)));
          case "ENCRYPTED PRIVATE KEY" ->
              throw new BadCertificate(
                  path
                      + ": the private key is encrypted; give it without a passphrase"
                      + " (openssl pkey -in KEY -out KEY.plain), kept only on this machine");
          default -> throw new BadCertificate(path + ": unknown key type " + type);
        };
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new BadCertificate(path + ": the private key does not parse: " + e.getMessage());
      }
    }
    throw new BadCertificate(
        path
            + " holds no PEM private key (-----BEGIN PRIVATE KEY-----); put the key after the"
            + " certificate, or name its file with tls.key");
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    GeneralSecurityException last = null;
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }

  /** Signs a random message with the key and checks it with the certificate's public key. */
  private static boolean matches(PrivateKey key, X509Certificate cert) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> key.getAlgorithm();
        };
    try {
      byte[] message = new byte[32];
      new SecureRandom().nextBytes(message);
      Signature sign = Signature.getInstance(algorithm);
      sign.initSign(key);
      sign.update(message);
      byte[] signature = sign.sign();
      Signature verify = Signature.getInstance(algorithm);
      verify.initVerify(cert.getPublicKey());
      verify.update(message);
      return verify.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
