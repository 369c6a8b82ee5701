package dev.hoist.cli;

import dev.hoist.tls.CertReport;
import dev.hoist.tls.CertVerdict;
import java.time.Instant;

/** Renders a node's certificate for {@code hoist status} and {@code hoist tls status}. */
final class CertView {
  private final Console console;

  CertView(Console console) {
    this.console = console;
  }

  /** The certificate's lines, each starting with {@code indent}. */
  void show(CertReport r, String indent) {
    Console c = console;
    if (r.verdict().isEmpty()) {
      c.line(indent + "certificate: " + c.dim(r.source()));
      return;
    }
    CertVerdict verdict = r.verdict().get();
    if (r.certificate().isPresent()) {
      CertReport.Certificate cert = r.certificate().get();
      String expiry =
          (cert.daysLeft() < 0
                  ? "EXPIRED"
                  : "expires in " + cert.daysLeft() + " day" + (cert.daysLeft() == 1 ? "" : "s"))
              + " ("
              + CertReport.date(Instant.parse(cert.notAfter()))
              + ")";
      c.line(
          indent
              + "certificate for "
              + String.join(", ", cert.names())
              + ": "
              + paint(verdict.state(), expiry)
              + ", issuer "
              + cert.issuer());
    } else {
      c.line(indent + "certificate: " + paint(verdict.state(), "none yet"));
    }
    c.line(indent + "  source: " + r.source());
    r.lastRenewal()
        .ifPresent(
            a ->
                c.line(
                    indent
                        + "  last renewal: "
                        + CertReport.date(Instant.parse(a.at()))
                        + ", "
                        + (a.ok()
                            ? c.green("ok")
                            : c.red("failed")
                                + (a.failures() > 1 ? " (" + a.failures() + " in a row)" : "")
                                + ": "
                                + a.message()
                                + a.nextAttempt()
                                    .map(
                                        t ->
                                            "; next attempt after "
                                                + CertReport.date(Instant.parse(t))
                                                + " (or now: hoist tls renew)")
                                    .orElse(""))));
    if (verdict.state() != CertVerdict.State.OK) {
      c.line(
          indent
              + "  check: "
              + paint(verdict.state(), verdict.state().name())
              + " - "
              + verdict.message());
    }
  }

  private String paint(CertVerdict.State state, String text) {
    return switch (state) {
      case OK -> console.green(text);
      case WARNING -> console.yellow(text);
      case CRITICAL -> console.red(text);
    };
  }
}
