package dev.hoist.cli;

import dev.hoist.services.BundleException;
import dev.hoist.services.BundleSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A verified bundle as a table of parts, or as --json; and a refused one. */
final class BundleView {
  /** The --json form of a verified (or refused) bundle. */
  record Json(
      boolean ok,
      String file,
      Optional<String> error,
      Optional<String> part,
      Optional<String> app,
      Optional<String> release,
      Optional<String> created,
      Optional<String> node,
      Optional<String> postgresVersion,
      Optional<String> redisVersion,
      long bytes,
      List<BundleSummary.Part> parts,
      Optional<String> dump) {}

  private final Console console;

  BundleView(Console console) {
    this.console = console;
  }

  static Json json(String file, BundleSummary s) {
    return new Json(
        true,
        file,
        Optional.empty(),
        Optional.empty(),
        Optional.of(s.header().app()),
        s.header().release(),
        Optional.of(s.header().created()),
        Optional.of(s.header().node()),
        s.header().postgresVersion(),
        s.header().redisVersion(),
        s.bytes(),
        s.parts(),
        Optional.of(s.dump()));
  }

  static Json refused(String file, BundleException e) {
    return new Json(
        false,
        file,
        Optional.of(e.getMessage()),
        e.part(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        0,
        List.of(),
        Optional.empty());
  }

  /** The header line, the parts table and the dump's line. */
  void show(String file, BundleSummary s) {
    var h = s.header();
    console.line(
        console.bold(file)
            + ": app "
            + h.app()
            + ", release "
            + h.release().orElse("-")
            + ", made "
            + h.created()
            + " on "
            + h.node());
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("PART", "SIZE", "CHUNKS", "SHA256"));
    for (BundleSummary.Part p : s.parts()) {
      rows.add(
          List.of(
              p.name(),
              TransferProgress.mb(p.size()),
              String.valueOf(p.chunks()),
              p.sha256().substring(0, 16) + "…"));
    }
    table(rows);
    console.line("dump: " + s.dump());
  }

  private void table(List<List<String>> rows) {
    int[] widths = new int[rows.getFirst().size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      StringBuilder line = new StringBuilder("  ");
      for (int i = 0; i < widths.length; i++) {
        String cell = String.format(Locale.ROOT, "%-" + widths[i] + "s  ", rows.get(r).get(i));
        line.append(r == 0 ? console.dim(cell) : cell);
      }
      console.line(line.toString().stripTrailing());
    }
  }
}
