package dev.hoist.project;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * Reads the {@code tls} key. Absent, a public domain gets a Let's Encrypt certificate and a local
 * one ({@code .test}, an IP address) stays on HTTP; {@code false}, {@code {cert: PEM}} and {@code
 * {acme: {...}}} say otherwise.
 */
final class TlsReader {
  private static final List<String> KEYS = List.of("acme", "cert", "key", "hsts");
  private static final List<String> ACME_KEYS = List.of("email", "directory", "ca", "staging");
  private static final Pattern HSTS = Pattern.compile("([0-9]{1,9})(y|d|h|s)?");
  // As the node's runner takes them: printable ASCII, no leading '-' (they become arguments).
  private static final Pattern EMAIL =
      Pattern.compile("[!-,.-?A-~][!-?A-~]*@[!-?A-~]+\\.[!-?A-~]+");

  private static final String PUSHED_PEM =
      "commit the PEM file into the project and name it relative to it, or let the nodes get a"
          + " certificate by ACME (tls: {acme: {email: ...}})";

  private final YamlNodes nodes;
  private final Path projectDir;
  private final Optional<PushedPaths> pushed;

  /** {@code pushed}: PEM files only from the project tree (hoist server deploying a push). */
  TlsReader(YamlNodes nodes, Path projectDir, boolean pushed) {
    this.nodes = nodes;
    this.projectDir = projectDir;
    this.pushed = pushed ? Optional.of(new PushedPaths(nodes, projectDir)) : Optional.empty();
  }

  /** No {@code tls:} key: HTTPS from Let's Encrypt when the domain is public. */
  static TlsSpec defaults(String domain, List<String> aliases) {
    Optional<String> local = PublicNames.whyLocal(domain);
    if (local.isPresent()) {
      return new TlsSpec.Off(local.get() + " (HTTP only; set tls: to change that)");
    }
    List<String> names = new ArrayList<>();
    names.add(domain);
    aliases.stream().filter(a -> PublicNames.whyLocal(a).isEmpty()).forEach(names::add);
    return new TlsSpec.Acme(
        names, Optional.empty(), TlsSpec.LETS_ENCRYPT, Optional.empty(), Optional.empty());
  }

  TlsSpec read(Node node, String domain, List<String> aliases) {
    if (node instanceof ScalarNode) {
      return nodes
          .parse(node, "tls", "false, true or a mapping like {acme: {email: ...}}", YamlNodes::flag)
          .map(
              on ->
                  on
                      ? acme(node, domain, aliases, Optional.empty(), false, Optional.empty())
                      : (TlsSpec) new TlsSpec.Off("tls: false in hoist.yml"))
          .orElse(new TlsSpec.Off("tls: has a problem"));
    }
    Optional<Fields> found = nodes.fields(node, "tls", KEYS, Set.of());
    if (found.isEmpty()) {
      return new TlsSpec.Off("tls: has a problem");
    }
    Fields f = found.get();
    Optional<Duration> hsts =
        f.get("hsts")
            .flatMap(
                n -> nodes.parse(n, f.key("hsts"), "a max-age like 1y or 180d", TlsReader::hsts))
            .filter(d -> !d.isZero());
    Optional<Node> cert = f.get("cert");
    Optional<Node> acme = f.get("acme");
    if (cert.isPresent() && acme.isPresent()) {
      nodes.problem(
          acme.get(),
          f.key("acme"),
          "tls has both cert and acme",
          "keep cert: for your own certificate, or acme: for one Hoist obtains and renews");
      return new TlsSpec.Off("tls: has a problem");
    }
    if (cert.isPresent()) {
      Optional<Path> certPath = cert.flatMap(n -> file(n, f.key("cert")));
      Optional<Path> key = f.get("key").flatMap(n -> file(n, f.key("key")));
      return certPath
          .<TlsSpec>map(p -> new TlsSpec.Files(p, key, hsts))
          .orElse(new TlsSpec.Off("tls: has a problem"));
    }
    if (f.get("key").isPresent()) {
      nodes.problem(
          f.get("key").get(),
          f.key("key"),
          "a key without a certificate",
          "add 'cert: certs/site.pem' beside it, or remove key");
      return new TlsSpec.Off("tls: has a problem");
    }
    if (acme.isEmpty()) {
      return acme(node, domain, aliases, Optional.empty(), false, hsts);
    }
    Optional<Fields> a = nodes.fields(acme.get(), f.key("acme"), ACME_KEYS, Set.of());
    if (a.isEmpty()) {
      return new TlsSpec.Off("tls: has a problem");
    }
    Fields af = a.get();
    Optional<String> email =
        af.get("email")
            .flatMap(n -> nodes.parse(n, af.key("email"), "an email address", TlsReader::email));
    Optional<String> directory =
        af.get("directory")
            .flatMap(
                n -> nodes.parse(n, af.key("directory"), "an https:// URL", TlsReader::directory));
    boolean staging =
        af.get("staging")
            .flatMap(n -> nodes.parse(n, af.key("staging"), "true or false", YamlNodes::flag))
            .orElse(false);
    if (staging && directory.isPresent()) {
      nodes.problem(
          af.get("staging").orElseThrow(),
          af.key("staging"),
          "staging: true and a directory both choose the CA",
          "keep one of them");
    }
    Optional<Path> ca = af.get("ca").flatMap(n -> file(n, af.key("ca")));
    Optional<String> dir =
        directory.or(() -> staging ? Optional.of(TlsSpec.LETS_ENCRYPT_STAGING) : Optional.empty());
    TlsSpec spec = acme(acme.get(), domain, aliases, dir, true, hsts);
    return spec instanceof TlsSpec.Acme x
        ? new TlsSpec.Acme(x.names(), email, x.directory(), ca, hsts)
        : spec;
  }

  /**
   * An ACME certificate for the domain and its aliases. With Let's Encrypt every name must be
   * public; a private CA ({@code directory}) may certify local names, never IP addresses.
   */
  private TlsSpec acme(
      Node at,
      String domain,
      List<String> aliases,
      Optional<String> directory,
      boolean explicit,
      Optional<Duration> hsts) {
    List<String> names = new ArrayList<>();
    names.add(domain);
    names.addAll(aliases);
    for (String name : names) {
      Optional<String> why =
          directory.isPresent()
              ? (PublicNames.certifiable(name) ? Optional.empty() : PublicNames.whyLocal(name))
              : PublicNames.whyLocal(name);
      if (why.isPresent()) {
        nodes.problem(
            at,
            "tls",
            "cannot get an ACME certificate: " + why.get(),
            directory.isPresent()
                ? "use real host names in domain: and aliases:, or tls: false"
                : "use a public domain, tls: {cert: ...} with your own certificate, an"
                    + " acme.directory of a private CA, or tls: false");
        return new TlsSpec.Off("tls: has a problem");
      }
    }
    return new TlsSpec.Acme(
        names, Optional.empty(), directory.orElse(TlsSpec.LETS_ENCRYPT), Optional.empty(), hsts);
  }

  /** A PEM file on the admin machine: relative to the project, absolute, or under {@code ~/}. */
  private Optional<Path> file(Node node, String key) {
    if (pushed.isPresent()) {
      return pushed.get().file(node, key, PUSHED_PEM);
    }
    return nodes
        .text(node, key, "a file path")
        .flatMap(
            text -> {
              Path path =
                  text.startsWith("~/")
                      ? Path.of(System.getProperty("user.home")).resolve(text.substring(2))
                      : projectDir.resolve(text);
              path = path.toAbsolutePath().normalize();
              if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                nodes.problem(
                    node,
                    key,
                    "no readable file at " + path,
                    "give the PEM file's path, relative to the project or absolute");
                return Optional.empty();
              }
              return Optional.of(path);
            });
  }

  private static String email(String text) {
    if (!EMAIL.matcher(text).matches()) {
      throw new InvalidValue(
          "expected an email address, found '" + text + "'",
          "the CA writes to it about expiring certificates, e.g. ops@example.com");
    }
    return text;
  }

  private static String directory(String text) {
    if (!text.startsWith("https://") || text.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new InvalidValue(
          "expected the https:// URL of an ACME directory, found '" + text + "'",
          "e.g. https://acme-v02.api.letsencrypt.org/directory");
    }
    return text;
  }

  /** {@code 1y}, {@code 180d}, {@code 12h} or seconds; {@code false} or 0 turns HSTS off. */
  static Duration hsts(String text) {
    if (text.equalsIgnoreCase("false") || text.equalsIgnoreCase("off")) {
      return Duration.ZERO;
    }
    Matcher m = HSTS.matcher(text);
    if (!m.matches()) {
      throw new InvalidValue(
          "expected a max-age like 1y or 180d, found '" + text + "'",
          "browsers then use only HTTPS for this long; start short (1d) and raise it to 1y");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "y" -> Duration.ofDays(365 * n);
      case "d" -> Duration.ofDays(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
  }
}
