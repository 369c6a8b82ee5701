package dev.hoist.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * This machine's apt configuration, which the base copies: the Debian mirror, any proxy, and the
 * files to carry over.
 */
final class HostApt {
  static final String DEFAULT_MIRROR = "http://deb.debian.org/debian";
  private static final Path APT = Path.of("/etc/apt");

  /**
   * The parts of /etc/apt a node needs to reach the same archive the same way (apt.conf.d relaxes
   * Release validity here).
   */
  private static final List<String> DIRS =
      List.of("apt.conf.d", "preferences.d", "trusted.gpg.d", "keyrings", "auth.conf.d");

  private static final Pattern SIGNED_BY = Pattern.compile("(?i)signed-by[:=]\\s*(/[^\\s\\]]+)");
  private static final Pattern PROXY =
      Pattern.compile("^Acquire::http::Proxy \"([^\"]+)\";$", Pattern.MULTILINE);

  private HostApt() {}

  /**
   * The mirror the host's sources use for {@code suite}, so debootstrap downloads from where apt
   * does.
   */
  static String mirror(String suite) {
    return mirror(suite, sourceTexts());
  }

  /**
   * Finds {@code suite} in one-line ("deb URI suite ...") or deb822 ("URIs:", "Suites:") sources.
   */
  static String mirror(String suite, List<String> sources) {
    for (String text : sources) {
      for (String stanza : text.split("\\n\\s*\\n")) {
        Optional<String> uri = field(stanza, "URIs");
        Optional<String> suites = field(stanza, "Suites");
        boolean debs =
            field(stanza, "Types").map(t -> List.of(t.split("\\s+")).contains("deb")).orElse(true);
        if (uri.isPresent()
            && suites.isPresent()
            && debs
            && List.of(suites.get().split("\\s+")).contains(suite)) {
          return uri.get().split("\\s+")[0];
        }
        for (String line : stanza.split("\\n")) {
          String[] w = line.strip().replaceAll("\\[[^]]*]", "").trim().split("\\s+");
          if (w.length >= 3 && w[0].equals("deb") && w[2].equals(suite)) {
            return w[1];
          }
        }
      }
    }
    return DEFAULT_MIRROR;
  }

  private static Optional<String> field(String stanza, String name) {
    Matcher m = Pattern.compile("(?im)^" + name + ":\\s*(.+)$").matcher(stanza);
    return m.find() ? Optional.of(m.group(1).strip()) : Optional.empty();
  }

  /** The proxy apt uses, from {@code apt-config dump} output, for debootstrap's http_proxy. */
  static Optional<String> proxy(String aptConfigDump) {
    Matcher m = PROXY.matcher(aptConfigDump);
    return m.find() && !m.group(1).isBlank() && !m.group(1).equals("DIRECT")
        ? Optional.of(m.group(1))
        : Optional.empty();
  }

  /**
   * The files to copy into the base, each under the same path: sources, apt.conf.d and friends, and
   * the keyrings sources name.
   */
  static List<Path> filesToCopy() {
    Set<Path> files = new LinkedHashSet<>(sourceFiles());
    for (String dir : DIRS) {
      try (Stream<Path> s = Files.list(APT.resolve(dir))) {
        s.filter(Files::isRegularFile).sorted().forEach(files::add);
      } catch (IOException e) {
        // Not every machine has every directory.
      }
    }
    for (String text : sourceTexts()) {
      for (Path key : signedBy(text)) {
        if (Files.isRegularFile(key)) {
          files.add(key);
        }
      }
    }
    return new ArrayList<>(files);
  }

  /** Keyring paths named by Signed-By fields or [signed-by=...] options. */
  static List<Path> signedBy(String sources) {
    List<Path> keys = new ArrayList<>();
    Matcher m = SIGNED_BY.matcher(sources);
    while (m.find()) {
      keys.add(Path.of(m.group(1)));
    }
    return keys;
  }

  /**
   * The source files apt reads: sources.list and sources.list.d's *.list and *.sources (it ignores
   * other names).
   */
  private static List<Path> sourceFiles() {
    List<Path> files = new ArrayList<>();
    if (Files.isRegularFile(APT.resolve("sources.list"))) {
      files.add(APT.resolve("sources.list"));
    }
    try (Stream<Path> s = Files.list(APT.resolve("sources.list.d"))) {
      s.filter(p -> p.toString().endsWith(".list") || p.toString().endsWith(".sources"))
          .sorted()
          .forEach(files::add);
    } catch (IOException e) {
      // No sources.list.d: only sources.list counts.
    }
    return files;
  }

  private static List<String> sourceTexts() {
    List<String> texts = new ArrayList<>();
    for (Path f : sourceFiles()) {
      try {
        texts.add(Files.readString(f));
      } catch (IOException e) {
        // Missing or unreadable: apt would skip it too.
      }
    }
    return texts;
  }
}
