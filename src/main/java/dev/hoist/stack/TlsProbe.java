package dev.hoist.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.engine.ProbeKind;
import dev.hoist.engine.ProbeRequest;

/**
 * The agent's {@code tls} probe: the certificate chain the app serves on a node (never its key) and
 * the ACME runner's last result. A deploy reads it to know whether nginx or HAProxy can serve HTTPS
 * yet.
 */
public final class TlsProbe {
  public static final String ID = "tls";

  private TlsProbe() {}

  public static ProbeRequest of(AppLayout layout) {
    return new ProbeRequest(ID, new ProbeKind.Tls(layout.tlsDir()));
  }

  /**
   * Whether the node holds a certificate to serve (valid or not: that is the status's business).
   */
  public static boolean certOnNode(JsonNode state) {
    return state.path("cert").isTextual();
  }
}
